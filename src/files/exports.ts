/**
 * `GET /exports/…`: a campaign's calls as CSV or JSON Lines, its PDF report, and the calls of
 * every campaign of the organisation — with the caller's Bearer key (any scope) and the calls
 * connection's filters as query parameters (src/schema/call/export-link.ts). Streamed: the next
 * batch is read when the client has taken the last one, and a client that goes away stops it.
 */
import type { App } from '../app.ts';
import type { ApiKeyIdentity } from '../auth/keys.ts';
import { ValidationError } from '../domain/errors.ts';
import { decodeId } from '../schema/common/ids.ts';
import { parseExportQuery, type ExportQuery } from '../schema/call/export-link.ts';
import { callBatches, variableNames, type ExportCampaign } from './call-rows.ts';
import { csvChunks, jsonLinesChunks } from './calls-file.ts';
import { loadReport, renderReport } from './report-pdf.ts';
import { nodeChunks, problem, streamed, type Fetch } from './responses.ts';

const CAMPAIGN_FILE = /^\/exports\/campaigns\/([^/]+)\/(calls\.csv|calls\.json|report\.pdf)$/;
const ORG_FILE = /^\/exports\/(calls\.csv|calls\.json)$/;

export async function exportResponse(app: App, identity: ApiKeyIdentity, request: Request, url: URL, fetchAPI: Fetch): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return new fetchAPI.Response(null, { status: 405, headers: { allow: 'GET, HEAD' } });
  }
  const campaignFile = CAMPAIGN_FILE.exec(url.pathname);
  const orgFile = campaignFile ? null : ORG_FILE.exec(url.pathname);
  if (!campaignFile && !orgFile) return problem(fetchAPI, 404, 'No such export. See the README, "Exports".', { code: 'NOT_FOUND' });
  let query: ExportQuery;
  try {
    query = parseExportQuery(url.searchParams);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return problem(fetchAPI, 400, error.message, { code: 'BAD_USER_INPUT', fieldErrors: error.fieldErrors });
  }
  const day = new Date().toISOString().slice(0, 10);

  if (campaignFile) {
    const [, globalId, file] = campaignFile;
    const id = decodeId(decodeURIComponent(globalId!), 'Campaign');
    const campaign = id ? await app.db.prisma.campaign.findFirst({ where: { id, organizationId: identity.organizationId } }) : null;
    if (!campaign) return problem(fetchAPI, 404, 'No campaign with this id in your organisation.', { code: 'NOT_FOUND' });
    const base = `${slug(campaign.name)}-${day}`;
    if (file === 'report.pdf') {
      const doc = renderReport(await loadReport(app.db, campaign));
      return streamed(fetchAPI, request, nodeChunks(doc), 'application/pdf', `${base}-report.pdf`, app.logger);
    }
    return callsFile(app, fetchAPI, request, [{ id: campaign.id, name: campaign.name }], query, file === 'calls.csv' ? 'csv' : 'json', `${base}-calls`);
  }

  const wanted = query.campaignIds?.map((g) => decodeId(g, 'Campaign'));
  if (wanted?.some((id) => id === null)) {
    return problem(fetchAPI, 400, 'campaignIds: not a campaign id', {
      code: 'BAD_USER_INPUT',
      fieldErrors: [{ path: ['campaignIds'], message: 'not a campaign id' }],
    });
  }
  const campaigns = await app.db.prisma.campaign.findMany({
    where: { organizationId: identity.organizationId, deletedAt: null, ...(wanted ? { id: { in: wanted as string[] } } : {}) },
    select: { id: true, name: true },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  });
  return callsFile(app, fetchAPI, request, campaigns, query, orgFile![1] === 'calls.csv' ? 'csv' : 'json', `calls-${day}`);
}

async function callsFile(
  app: App,
  fetchAPI: Fetch,
  request: Request,
  campaigns: ExportCampaign[],
  query: ExportQuery,
  format: 'csv' | 'json',
  base: string,
): Promise<Response> {
  const stop = new AbortController();
  request.signal?.addEventListener('abort', () => stop.abort(), { once: true });
  const batches = callBatches(app.db, campaigns, query.filter, stop.signal);
  if (format === 'json')
    return streamed(fetchAPI, request, jsonLinesChunks(batches, campaigns), 'application/jsonl; charset=utf-8', `${base}.jsonl`, app.logger, stop);
  const variables = await variableNames(app.db, campaigns, query.filter);
  return streamed(fetchAPI, request, csvChunks(batches, campaigns, variables, { bom: query.bom }), 'text/csv; charset=utf-8', `${base}.csv`, app.logger, stop);
}

/** A file name from a campaign name: ASCII letters, digits and dashes (the full name goes in filename*). */
function slug(name: string): string {
  return (
    name
      .normalize('NFKD')
      .replace(/[^\w\s-]/g, '')
      .trim()
      .replace(/[\s_]+/g, '-')
      .toLowerCase()
      .slice(0, 60) || 'campaign'
  );
}
