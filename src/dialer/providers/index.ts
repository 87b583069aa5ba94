import type { App } from '../../app.ts';
import type { Logger } from '../../logger.ts';
import type { TelephonyProvider } from '../provider.ts';
import { RetellProvider } from './retell.ts';
import { createSimulator } from './simulator.ts';

/** The provider a worker dials through, chosen by CALLBOARD_PROVIDER (config.ts checked what it needs). */
export function createProvider(app: App, logger: Logger): TelephonyProvider {
  const onError = (error: unknown) => {
    app.metrics.providerErrors.inc();
    logger.error({ err: error }, 'telephony provider error');
  };
  const { config } = app;
  if (config.provider === 'retell') return new RetellProvider({ config: config.retell!, app, onError });
  const { seed, speed, ledgerPath } = config.simulator;
  return createSimulator({ seed, speed, ledgerPath, onError });
}

/** For `callboard doctor`: is the configured provider reachable with these settings? Places no call. */
export async function checkProvider(config: App['config']): Promise<{ ok: boolean; detail: string }> {
  if (config.provider !== 'retell') return { ok: true, detail: 'simulator (built in; reaches no one)' };
  const retell = config.retell!;
  const found = await RetellProvider.check(retell);
  const webhooks = `webhooks expected at ${config.publicUrl}/webhooks/retell (set it as the Retell agent's webhook URL)`;
  return found.ok
    ? { ok: true, detail: `Retell at ${retell.baseUrl}: API key accepted; calling from ${retell.fromNumber}; ${webhooks}` }
    : { ok: false, detail: `Retell at ${retell.baseUrl}: ${found.detail}` };
}
