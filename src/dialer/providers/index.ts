import type { App } from '../../app.ts';
import type { Logger } from '../../logger.ts';
import type { TelephonyProvider } from '../provider.ts';
import { RetellProvider } from './retell.ts';
import { createSimulator } from './simulator.ts';

/** The provider a worker dials through, chosen by CALLBOARD_PROVIDER (config.ts checked what it needs). */
export function createProvider(app: App, logger: Logger): TelephonyProvider {
  const onError = (error: unknown) => logger.error({ err: error }, 'telephony provider error');
  const { config } = app;
  if (config.provider === 'retell') return new RetellProvider({ config: config.retell!, app, onError });
  const { seed, speed, ledgerPath } = config.simulator;
  return createSimulator({ seed, speed, ledgerPath, onError });
}
