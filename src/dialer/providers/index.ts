import type { Config } from '../../config.ts';
import type { Logger } from '../../logger.ts';
import type { TelephonyProvider } from '../provider.ts';
import { createSimulator } from './simulator.ts';

/**
 * The provider a worker dials through, chosen from configuration. Only the simulator exists today;
 * a real provider (Twilio-style REST + status callbacks) plugs in here behind the same interface.
 */
export function createProvider(config: Config, logger: Logger): TelephonyProvider {
  const { seed, speed, ledgerPath } = config.simulator;
  return createSimulator({
    seed,
    speed,
    ledgerPath,
    onError: (error) => logger.error({ err: error }, 'telephony result listener failed'),
  });
}
