import { GraphQLError } from 'graphql';
import type { Context } from '../context.ts';
import { decodeId } from '../common/ids.ts';

/**
 * The campaign id a subscription may watch, checked once when it is created: the campaign must
 * belong to the caller's organisation (deleted ones included: their history stays readable).
 * Subscriptions have no result union to carry a typed error, so an unknown id, a malformed one
 * and another organisation's all fail alike with a GraphQL error whose extensions.code is
 * NOT_FOUND — nothing tells them apart, so nothing of another tenant leaks.
 */
export async function subscribableCampaignId(ctx: Context, globalId: string): Promise<string> {
  const id = decodeId(globalId, 'Campaign');
  const found = id && (await ctx.db.prisma.campaign.findFirst({ where: { id, organizationId: ctx.orgId }, select: { id: true } }));
  if (!found) {
    throw new GraphQLError('NotFound: no campaign with this id in your organisation', {
      extensions: { code: 'NOT_FOUND', typename: 'Campaign', id: globalId },
    });
  }
  return found.id;
}
