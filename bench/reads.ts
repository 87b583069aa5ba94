/**
 * The read scenarios over HTTP, same logical query for both servers, checked for equal answers
 * before anything is timed: call by id, the nested campaign list, per-status counts (against
 * PostGraphile counting rows, and against it reading callboard's own counter table), and a deep
 * page (page 1000: callboard with a keyset cursor, PostGraphile with the `offset` its clients use).
 */
import { encodeCursor } from '../src/schema/call/call-page.ts';
import { type Figure, gql, load, median, type Result } from './harness.ts';

export interface ReadTarget {
  url: string;
  headers: Record<string, string>;
}

export interface ReadData {
  campaignIds: string[];
  callIds: string[];
  perCampaign: number;
  /** Runs SQL on the benchmark database (to find the row a deep page starts after). */
  query: (sql: string, params?: unknown[]) => Promise<{ rows: any[] }>;
}

export interface Scenario {
  id: string;
  name: string;
  cb: string[];
  peer: string[];
}

const callGid = (id: string) => Buffer.from(`Call:${id}`).toString('base64');
const campaignGid = (id: string) => Buffer.from(`Campaign:${id}`).toString('base64');
const body = (query: string, variables?: unknown) => JSON.stringify({ query, variables });

const CB_CALL = 'query($id:ID!){node(id:$id){...on Call{id name phoneNumber status outcome}}}';
const PEER_CALL = 'query($id:UUID!){call(rowId:$id){id name phoneNumber status outcome}}';
const NESTED = '{campaigns(first:10){edges{node{name calls(first:20){edges{node{name status}}}}}}}';
const CB_STATS = 'query($id:ID!){campaign(id:$id){stats{total pending inProgress retryScheduled completed failed skipped canceled}}}';
const STATUSES = ['PENDING', 'IN_PROGRESS', 'RETRY_SCHEDULED', 'COMPLETED', 'FAILED', 'SKIPPED', 'CANCELED'];
const PEER_STATS = `query($id:UUID!){campaign(rowId:$id){total:calls{totalCount} ${STATUSES.map((s) => `${s}:calls(condition:{status:${s}}){totalCount}`).join(' ')}}}`;
const PEER_TALLY = 'query($id:UUID!){campaign(rowId:$id){campaignCallTallies{nodes{status outcome calls}}}}';
const CB_PAGE = 'query($id:ID!,$after:String){campaign(id:$id){calls(first:20,after:$after){edges{node{name status}}}}}';
const PEER_PAGE =
  'query($id:UUID!,$offset:Int){campaign(rowId:$id){calls(first:20,offset:$offset,orderBy:[CREATED_AT_ASC,ROW_ID_ASC]){edges{node{name status}}}}}';

/** The page number the deep-pagination scenario reads: 1000, or the middle page of a smaller campaign. */
export const deepPage = (perCampaign: number) => Math.min(1000, Math.floor(perCampaign / 20 / 2));

/** Builds the scenarios after checking that both servers give the same answers. */
export async function readScenarios(cb: ReadTarget, peer: ReadTarget, data: ReadData): Promise<Scenario[]> {
  const { callIds, campaignIds } = data;
  const cbCall = await gql(cb.url, cb.headers, CB_CALL, { id: callGid(callIds[0]!) });
  const peerCall = await gql(peer.url, peer.headers, PEER_CALL, { id: callIds[0] });
  if (cbCall.node?.phoneNumber !== peerCall.call?.phoneNumber) throw new Error(`call mismatch ${JSON.stringify([cbCall, peerCall])}`);
  const count = (d: any) => d.campaigns.edges.reduce((n: number, e: any) => n + e.node.calls.edges.length, 0);
  const [cbN, peerN] = [count(await gql(cb.url, cb.headers, NESTED)), count(await gql(peer.url, peer.headers, NESTED))];
  if (cbN !== 200 || peerN !== 200) throw new Error(`nested: callboard ${cbN} calls, peer ${peerN}`);
  const cid = campaignIds[2]!;
  const cbStats = (await gql(cb.url, cb.headers, CB_STATS, { id: campaignGid(cid) })).campaign.stats;
  const peerStats = (await gql(peer.url, peer.headers, PEER_STATS, { id: cid })).campaign;
  const camel = (s: string) => s.toLowerCase().replace(/_(.)/g, (_, c) => c.toUpperCase());
  for (const s of STATUSES)
    if (cbStats[camel(s)] !== peerStats[s].totalCount) throw new Error(`stats ${s}: ${cbStats[camel(s)]} vs ${peerStats[s].totalCount}`);
  if (cbStats.total !== peerStats.total.totalCount) throw new Error('stats total mismatch');

  // Page N starts after row (N-1)·20 in (created_at, id) order — the order both servers use here.
  const offset = (deepPage(data.perCampaign) - 1) * 20;
  const pages: Array<{ id: string; after: string }> = [];
  for (const id of campaignIds) {
    const { rows } = await data.query(
      `SELECT id::text, created_at::text AS v FROM call WHERE campaign_id = $1 ORDER BY created_at, id OFFSET ${offset - 1} LIMIT 1`,
      [id],
    );
    pages.push({ id, after: encodeCursor({ field: 'CREATED_AT', value: rows[0].v, id: rows[0].id }) });
  }
  const names = (edges: any[]) => edges.map((e) => e.node.name).join();
  const cbPage = await gql(cb.url, cb.headers, CB_PAGE, { id: campaignGid(pages[0]!.id), after: pages[0]!.after });
  const peerPage = await gql(peer.url, peer.headers, PEER_PAGE, { id: pages[0]!.id, offset });
  if (names(cbPage.campaign.calls.edges) !== names(peerPage.campaign.calls.edges) || cbPage.campaign.calls.edges.length !== 20) {
    throw new Error(`deep page mismatch: ${names(cbPage.campaign.calls.edges)} vs ${names(peerPage.campaign.calls.edges)}`);
  }

  const scenarios: Scenario[] = [
    {
      id: 'call-by-id',
      name: 'call by id (1000 ids rotating)',
      cb: callIds.map((id) => body(CB_CALL, { id: callGid(id) })),
      peer: callIds.map((id) => body(PEER_CALL, { id })),
    },
    { id: 'campaign-list-nested', name: '10 campaigns x 20 calls nested', cb: [body(NESTED)], peer: [body(NESTED)] },
    {
      id: 'campaign-stats',
      name: 'per-status counts (peer: 8 x totalCount)',
      cb: campaignIds.map((id) => body(CB_STATS, { id: campaignGid(id) })),
      peer: campaignIds.map((id) => body(PEER_STATS, { id })),
    },
    {
      id: 'campaign-stats-same-table',
      name: 'per-status counts (peer: same tally table)',
      cb: campaignIds.map((id) => body(CB_STATS, { id: campaignGid(id) })),
      peer: campaignIds.map((id) => body(PEER_TALLY, { id })),
    },
    {
      id: 'deep-pagination',
      name: `page ${deepPage(data.perCampaign)} of ${data.perCampaign}-call campaigns (peer: offset)`,
      cb: pages.map((p) => body(CB_PAGE, { id: campaignGid(p.id), after: p.after })),
      peer: pages.map((p) => body(PEER_PAGE, { id: p.id, offset })),
    },
  ];
  await gql(peer.url, peer.headers, PEER_TALLY, { id: cid });
  return scenarios;
}

/** callboard's own read scenarios over a seeded database (for callboard against itself: the embedded PGlite vs PostgreSQL). */
export function callboardReads(data: Pick<ReadData, 'campaignIds' | 'callIds'>): Array<{ id: string; name: string; bodies: string[] }> {
  return [
    { id: 'call-by-id', name: 'call by id', bodies: data.callIds.map((id) => body(CB_CALL, { id: callGid(id) })) },
    { id: 'campaign-list-nested', name: '10 campaigns x 20 calls nested', bodies: [body(NESTED)] },
    { id: 'campaign-stats', name: 'per-status counts', bodies: data.campaignIds.map((id) => body(CB_STATS, { id: campaignGid(id) })) },
  ];
}

/** Alternating bounded runs (a slow moment of the shared machine hits both); medians. */
export async function compareLoad(
  s: Scenario,
  cb: ReadTarget,
  peer: ReadTarget,
  options: { runs: number; seconds: number; connections: number },
): Promise<Figure> {
  const cbRuns: Result[] = [];
  const peerRuns: Result[] = [];
  for (let run = 0; run < options.runs; run++) {
    await load(cb.url, cb.headers, s.cb.slice(0, 50), 1, options.connections).catch(() => undefined); // warm-up, not counted
    cbRuns.push(await load(cb.url, cb.headers, s.cb, options.seconds, options.connections));
    await load(peer.url, peer.headers, s.peer.slice(0, 50), 1, options.connections).catch(() => undefined);
    peerRuns.push(await load(peer.url, peer.headers, s.peer, options.seconds, options.connections));
  }
  const pick = (runs: Result[]) => ({
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    errors: runs.reduce((n, r) => n + r.errors, 0),
  });
  const [ours, theirs] = [pick(cbRuns), pick(peerRuns)];
  return {
    id: s.id,
    name: s.name,
    ours: ours.rps,
    peer: theirs.rps,
    unit: 'req/s',
    detail: `p50/p99 ms ${ours.p50}/${ours.p99} vs ${theirs.p50}/${theirs.p99}; errors ${ours.errors} vs ${theirs.errors}`,
  };
}
