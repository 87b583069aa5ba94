/**
 * `POST /imports/campaigns/:id/contacts.csv`: a contact list of any size (up to
 * CALLBOARD_MAX_UPLOAD_BYTES) as the raw request body, streamed through the CSV parser into the
 * import's staging table — never held in memory whole, as a GraphQL multipart upload is (and so
 * bounded to 25 MB). Same rules and the same all-or-nothing transaction as importContacts; its
 * ImportJob shows the rows read while it runs (Campaign.imports).
 */
import type { App } from '../app.ts';
import { allows, type ApiKeyIdentity } from '../auth/keys.ts';
import { UploadTooLargeError } from '../domain/errors.ts';
import { requestIdOf } from '../schema/context.ts';
import { decodeId, encodeId } from '../schema/common/ids.ts';
import { importContacts } from '../services/contacts.ts';
import { problem, type Fetch } from './responses.ts';

const CONTACTS_UPLOAD = /^\/imports\/campaigns\/([^/]+)\/contacts\.csv$/;

export async function importResponse(app: App, identity: ApiKeyIdentity, request: Request, url: URL, fetchAPI: Fetch): Promise<Response> {
  const match = CONTACTS_UPLOAD.exec(url.pathname);
  if (!match) return problem(fetchAPI, 404, 'No such import. See the README, "Importing contacts".', { code: 'NOT_FOUND' });
  if (request.method !== 'POST') return new fetchAPI.Response(null, { status: 405, headers: { allow: 'POST' } });
  if (!allows(identity.level, 'WRITE')) return problem(fetchAPI, 403, 'Importing contacts needs a WRITE or ADMIN key.', { code: 'FORBIDDEN' });
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (declared > app.config.maxUploadBytes) {
    const error = new UploadTooLargeError(app.config.maxUploadBytes);
    return problem(fetchAPI, 413, error.message, { code: 'PAYLOAD_TOO_LARGE', fieldErrors: error.fieldErrors });
  }
  const unknown = [...url.searchParams.keys()].filter((k) => k !== 'defaultCountry');
  if (unknown.length) {
    return problem(fetchAPI, 400, `${unknown[0]}: unknown parameter (known: defaultCountry)`, { code: 'BAD_USER_INPUT', fieldErrors: [{ path: [unknown[0]], message: 'unknown parameter' }] });
  }
  const campaignId = decodeId(decodeURIComponent(match[1]!), 'Campaign');
  if (!campaignId) return problem(fetchAPI, 404, 'No campaign with this id in your organisation.', { code: 'NOT_FOUND' });
  if (!request.body) return problem(fetchAPI, 400, 'file: send the CSV as the request body', { code: 'BAD_USER_INPUT', fieldErrors: [{ path: ['file'], message: 'empty body' }] });

  const report = await importContacts(app, identity.organizationId, {
    campaignId,
    file: request.body,
    defaultCountry: url.searchParams.get('defaultCountry'),
    actor: { keyId: identity.keyId, name: identity.name, requestId: requestIdOf(request.headers.get('x-request-id')) },
  });
  const body = {
    jobId: encodeId('ImportJob', report.jobId),
    campaignId: encodeId('Campaign', report.campaign.id),
    added: report.added,
    skipped: report.skipped,
    rejectedCount: report.rejectedCount,
    rejected: report.rejected,
    warningCount: report.warningCount,
    warnings: report.warnings,
  };
  return new fetchAPI.Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' } });
}
