/**
 * `npm run emulator:retell` — the Retell emulator on its own, for demos: callboard dials it
 * instead of Retell and receives its signed webhooks. Prints the settings to start callboard with.
 */
import { parseArgs } from 'node:util';
import { RetellEmulator } from './emulator.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4010' },
    webhook: { type: 'string', default: 'http://127.0.0.1:4000/webhooks/retell' },
    'api-key': { type: 'string', default: 'key_emulator_demo_0000' },
    // 1: calls ring for 3 s, talk for 20 s and are analysed 2 s later; 10: ten times faster.
    speed: { type: 'string', default: '1' },
  },
});
const speed = Number(values.speed);
if (!(speed > 0)) throw new Error('--speed must be a positive number');

const emulator = await new RetellEmulator({
  port: Number(values.port),
  apiKey: values['api-key'],
  webhookUrl: values.webhook,
  timings: { ringMs: 3000 / speed, talkMs: 20_000 / speed, analysisMs: 2000 / speed },
  webhookRetryMs: 2000,
}).start();

console.log(`Retell emulator listening on ${emulator.url}; webhooks go to ${emulator.webhookUrl}

Start callboard against it:

  CALLBOARD_PROVIDER=retell RETELL_BASE_URL=${emulator.url} RETELL_API_KEY=${emulator.apiKey} \\
  RETELL_FROM_NUMBER=+14155550100 CALLBOARD_PUBLIC_URL=http://127.0.0.1:4000 npm start

A destination's last two digits choose how its call ends (test/emulators/retell/scenarios.ts).`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void emulator.close().then(() => process.exit(0)));
}
