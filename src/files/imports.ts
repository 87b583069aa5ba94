/**
 * CSV uploads of any size (up to CALLBOARD_MAX_UPLOAD_BYTES) as the raw request body — never
 * held in memory whole, as a GraphQL multipart upload is (and so bounded to 25 MB):
 *  - `POST /imports/campaigns/:id/contacts.csv` (WRITE): streamed through the CSV parser into the
 *    import's staging table; the same rules and all-or-nothing transaction as importContacts,
 *    with an ImportJob showing its progress (Campaign.imports).
 *  - `POST /imports/do-not-call.csv` (ADMIN): numbers for the do-not-call list, received whole
 *    (to a temporary file) before any is listed, as importDoNotCallNumbers lists them.
 */
import type { App } from '../app.ts';
import { allows, type ApiKeyIdentity } from '../auth/keys.ts';
import { UploadTooLargeError } from '../domain/errors.ts';
import { decodeId, encodeId } from '../schema/common/ids.ts';
import { importContacts } from '../services/contacts.ts';
import { importDoNotCallNumbers } from '../services/do-not-call-list.ts';
import { problem, type Fetch } from './responses.ts';

const CONTACTS_UPLOAD = /^\/imports\/campaigns\/([^/]+)\/contacts\.csv$/;
const DO_NOT_CALL_UPLOAD = '/imports/do-not-call.csv';

const json = (fetchAPI: Fetch, body: unknown) =>
  new fetchAPI.Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' } });

/** What every upload checks before reading a byte: method, scope, declared size, known parameters. */
function refusal(app: App, identity: ApiKeyIdentity, request: Request, url: URL, fetchAPI: Fetch, scope: 'WRITE' | 'ADMIN', params: string[]): Response | null {
  if (request.method !== 'POST') return new fetchAPI.Response(null, { status: 405, headers: { allow: 'POST' } });
  if (!allows(identity.level, scope))
    return problem(fetchAPI, 403, `This upload needs ${scope === 'WRITE' ? 'a WRITE or ADMIN' : 'an ADMIN'} key.`, { code: 'FORBIDDEN' });
  // Refused before a byte is read; files/routes.ts answers it as every UploadTooLargeError (413).
  if (Number(request.headers.get('content-length') ?? NaN) > app.config.maxUploadBytes) throw new UploadTooLargeError(app.config.maxUploadBytes);
  const unknown = [...url.searchParams.keys()].find((k) => !params.includes(k));
  if (unknown)
    return problem(fetchAPI, 400, `${unknown}: unknown parameter (known: ${params.join(', ')})`, {
      code: 'BAD_USER_INPUT',
      fieldErrors: [{ path: [unknown], message: 'unknown parameter' }],
    });
  if (!request.body)
    return problem(fetchAPI, 400, 'file: send the CSV as the request body', {
      code: 'BAD_USER_INPUT',
      fieldErrors: [{ path: ['file'], message: 'empty body' }],
    });
  return null;
}

export async function importResponse(app: App, identity: ApiKeyIdentity, request: Request, url: URL, fetchAPI: Fetch, requestId: string): Promise<Response> {
  const actor = { keyId: identity.keyId, name: identity.name, requestId };
  if (url.pathname === DO_NOT_CALL_UPLOAD) {
    const refused = refusal(app, identity, request, url, fetchAPI, 'ADMIN', ['defaultCountry', 'reason']);
    if (refused) return refused;
    return json(
      fetchAPI,
      await importDoNotCallNumbers(app, identity.organizationId, {
        file: request.body!,
        defaultCountry: url.searchParams.get('defaultCountry'),
        reason: url.searchParams.get('reason'),
        actor,
      }),
    );
  }
  const match = CONTACTS_UPLOAD.exec(url.pathname);
  if (!match) return problem(fetchAPI, 404, 'No such import. See the README, "Importing a CSV".', { code: 'NOT_FOUND' });
  const refused = refusal(app, identity, request, url, fetchAPI, 'WRITE', ['defaultCountry']);
  if (refused) return refused;
  const campaignId = decodeId(decodeURIComponent(match[1]!), 'Campaign');
  if (!campaignId) return problem(fetchAPI, 404, 'No campaign with this id in your organisation.', { code: 'NOT_FOUND' });

  const report = await importContacts(app, identity.organizationId, {
    campaignId,
    file: request.body!,
    defaultCountry: url.searchParams.get('defaultCountry'),
    actor,
  });
  return json(fetchAPI, {
    jobId: encodeId('ImportJob', report.jobId),
    campaignId: encodeId('Campaign', report.campaign.id),
    added: report.added,
    skipped: report.skipped,
    rejectedCount: report.rejectedCount,
    rejected: report.rejected,
    warningCount: report.warningCount,
    warnings: report.warnings,
  });
}
