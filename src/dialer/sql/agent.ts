import type { PrismaClient } from '../../db/client.ts';
import type { Tx } from '../../db/transactions.ts';
import type { DialAgent } from '../provider.ts';

/** Used when a campaign has no agent assigned: the simulator still needs someone to speak. */
export const DEFAULT_AGENT: DialAgent = { name: 'callboard assistant', script: '', voice: null, providerAgentId: null };

/** The agent as it is now: a script edited mid-campaign applies to the next attempts. */
export async function agentOf(tx: Tx | PrismaClient, agentId: string | null): Promise<DialAgent> {
  if (!agentId) return DEFAULT_AGENT;
  const [agent] = await tx.$queryRaw<DialAgent[]>`SELECT name, script, voice, provider_agent_id AS "providerAgentId" FROM agent WHERE id = ${agentId}::uuid`;
  return agent ?? DEFAULT_AGENT;
}
