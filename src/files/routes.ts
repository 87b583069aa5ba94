/**
 * Files over plain HTTP, next to GraphQL and with the same Bearer keys: downloads under
 * `/exports/` (files/exports.ts) and uploads under `/imports/` (files/imports.ts). Typed domain
 * errors become HTTP statuses with the GraphQL error shape ({ errors: [{ message, extensions }] }).
 */
import type { App } from '../app.ts';
import type { ApiKeyIdentity } from '../auth/keys.ts';
import { InvalidCampaignTransitionError, NotFoundError, UploadTooLargeError, ValidationError } from '../domain/errors.ts';
import { exportResponse } from './exports.ts';
import { importResponse } from './imports.ts';
import { problem, type Fetch } from './responses.ts';

const under = (pathname: string, root: string) => pathname === root || pathname.startsWith(`${root}/`);

export function isFilePath(pathname: string): boolean {
  return under(pathname, '/exports') || under(pathname, '/imports');
}

export async function fileResponse(app: App, identity: ApiKeyIdentity, request: Request, url: URL, fetchAPI: Fetch, requestId: string): Promise<Response> {
  try {
    return under(url.pathname, '/exports')
      ? await exportResponse(app, identity, request, url, fetchAPI)
      : await importResponse(app, identity, request, url, fetchAPI, requestId);
  } catch (error) {
    if (error instanceof UploadTooLargeError) {
      return problem(fetchAPI, 413, error.message, { code: 'PAYLOAD_TOO_LARGE', fieldErrors: error.fieldErrors });
    }
    if (error instanceof ValidationError) return problem(fetchAPI, 400, error.message, { code: 'BAD_USER_INPUT', fieldErrors: error.fieldErrors });
    if (error instanceof NotFoundError) return problem(fetchAPI, 404, error.message, { code: 'NOT_FOUND' });
    if (error instanceof InvalidCampaignTransitionError) {
      return problem(fetchAPI, 409, error.message, { code: 'INVALID_CAMPAIGN_TRANSITION', status: error.status, action: error.action });
    }
    if (request.signal?.aborted || (error as { code?: string }).code === 'ECONNRESET') {
      // The client went away mid-upload: nothing was imported, and nobody reads this answer.
      app.logger.info({ path: url.pathname }, 'upload cut off by the client; nothing imported');
      return problem(fetchAPI, 400, 'The upload was cut off; nothing was imported.', { code: 'UPLOAD_INCOMPLETE' });
    }
    app.logger.error({ err: error, path: url.pathname }, 'file request failed');
    return problem(fetchAPI, 500, 'Unexpected error.');
  }
}
