/**
 * The page's only way to callboard: GraphQL over HTTP and graphql-ws, with the API key the user
 * pasted (kept in sessionStorage: gone when the browser session ends, never in a cookie), plus the
 * export and upload endpoints, which take the same Bearer key.
 */
import { createClient, type Client } from 'graphql-ws';
import type { TypedDocumentString } from './gql/graphql';

const KEY = 'callboard.apiKey';

export const storedKey = () => sessionStorage.getItem(KEY);
export const storeKey = (key: string) => sessionStorage.setItem(KEY, key);
export const forgetKey = () => sessionStorage.removeItem(KEY);

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

type GraphQLResponse<R> = { data?: R; errors?: Array<{ message: string }> };

/** Connection states the header shows ("live", "reconnecting…"). */
export type ConnectionState = 'connecting' | 'live' | 'reconnecting';

/** graphql-ws close code for a missing, unknown or revoked key (callboard's WS_UNAUTHORIZED). */
const WS_UNAUTHORIZED = 4401;

export class Api {
  readonly ws: Client;
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  /** Called once when callboard refuses the key (revoked or expired while the page is open). */
  onUnauthorized: () => void = () => {};
  private refused = false;

  constructor(readonly key: string) {
    const url = new URL('/graphql', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    this.ws = createClient({
      url: url.href,
      connectionParams: { authorization: `Bearer ${key}` },
      // No silent retries: graphql-ws would resubscribe with the first variables. A dropped socket
      // ends each subscription with an error, and live.ts subscribes again with fresh ones.
      retryAttempts: 0,
      on: {
        connecting: () => this.emit('connecting'),
        connected: () => this.emit('live'),
        closed: (event) => {
          if ((event as CloseEvent | undefined)?.code === WS_UNAUTHORIZED) this.refuse();
          else this.emit('reconnecting');
        },
      },
    });
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Whether the key was refused: subscriptions stop retrying then. */
  get isRefused() {
    return this.refused;
  }

  private refuse() {
    if (this.refused) return;
    this.refused = true;
    this.onUnauthorized();
  }

  private emit(state: ConnectionState) {
    for (const listener of this.stateListeners) listener(state);
  }

  private headers(extra: Record<string, string> = {}) {
    return { authorization: `Bearer ${this.key}`, ...extra };
  }

  async request<R, V>(document: TypedDocumentString<R, V>, variables: V): Promise<R> {
    const response = await fetch('/graphql', {
      method: 'POST',
      headers: this.headers({ 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' }),
      body: JSON.stringify({ query: document.toString(), variables }),
    });
    if (response.status === 401) {
      this.refuse();
      throw new ApiError('This API key is not valid (revoked or mistyped).', 401);
    }
    const body = (await response.json().catch(() => ({}))) as GraphQLResponse<R>;
    if (body.errors?.length) throw new ApiError(body.errors.map((e) => e.message).join('; '), response.status);
    if (!response.ok || !body.data) throw new ApiError(`callboard answered ${response.status}`, response.status);
    return body.data;
  }

  /** Downloads an export (the link needs the Bearer key, so a plain <a href> cannot fetch it). */
  async download(url: string, filename: string): Promise<void> {
    const response = await fetch(url, { headers: this.headers() });
    if (!response.ok) throw new ApiError(await problemMessage(response), response.status);
    const blob = URL.createObjectURL(await response.blob());
    const link = Object.assign(document.createElement('a'), { href: blob, download: filename });
    link.click();
    setTimeout(() => URL.revokeObjectURL(blob), 10_000);
  }

  /** Streams a CSV to the campaign (POST /imports/…): any size, all or nothing. */
  async uploadContacts(campaignId: string, file: File, defaultCountry: string): Promise<{ added: number; skipped: number }> {
    const query = defaultCountry ? `?defaultCountry=${encodeURIComponent(defaultCountry)}` : '';
    const response = await fetch(`/imports/campaigns/${encodeURIComponent(campaignId)}/contacts.csv${query}`, {
      method: 'POST',
      headers: this.headers({ 'content-type': 'text/csv' }),
      body: file,
    });
    if (!response.ok) throw new ApiError(await problemMessage(response), response.status);
    return (await response.json()) as { added: number; skipped: number };
  }

  close() {
    void this.ws.dispose();
  }
}

async function problemMessage(response: Response): Promise<string> {
  const body = (await response.json().catch(() => null)) as GraphQLResponse<unknown> | null;
  return body?.errors?.[0]?.message ?? `callboard answered ${response.status}`;
}
