/**
 * A subscription that survives dropped connections: when the socket closes, it subscribes again
 * (a new socket) with fresh variables — for campaignEvents, `after` = the last sequence seen — so a
 * page that lost its connection replays what it missed, once. Waits grow to 5 s while it fails.
 */
import type { Api } from './api';
import type { TypedDocumentString } from './gql/graphql';

export function keepSubscribed<R, V>(api: Api, document: TypedDocumentString<R, V>, variables: () => V, onData: (data: R) => void): () => void {
  let stopped = false;
  let unsubscribe = () => {};
  let failures = 0;
  const start = () => {
    if (stopped) return;
    let done = false;
    const restart = () => {
      if (done || api.isRefused) return;
      done = true;
      setTimeout(start, Math.min(250 * 2 ** failures++, 5000));
    };
    unsubscribe = api.ws.subscribe<R>(
      { query: document.toString(), variables: variables() as Record<string, unknown> },
      {
        next: (result) => {
          failures = 0;
          if (result.data) onData(result.data as R);
        },
        error: restart,
        complete: restart,
      },
    );
  };
  start();
  return () => {
    stopped = true;
    unsubscribe();
  };
}
