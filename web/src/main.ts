/**
 * The campaign page: the reference front-end of callboard's API. `/` lists the organisation's
 * campaigns, `/campaigns/:id` shows one; both stay live over graphql-ws. Only the documents under
 * schema/operations/ are sent (typed in ./gql by `npm run codegen`).
 */
import './style.css';
import { Api, ApiError, forgetKey, storedKey, storeKey, type ConnectionState } from './api';
import { showCampaign } from './detail-page';
import { h, replace } from './dom';
import { SignedInOrganizationDocument } from './gql/graphql';
import { showCampaigns } from './list-page';

const root = document.getElementById('app')!;
const orgName = document.getElementById('org')!;
const connection = document.getElementById('connection')!;
const signOut = document.getElementById('sign-out') as HTMLButtonElement;

const CONNECTION_TEXT: Record<ConnectionState, string> = { connecting: 'connecting…', live: '● live', reconnecting: 'reconnecting…' };

let api: Api | null = null;
let leavePage: () => void = () => {};

/** Client-side navigation: links to "/…" inside the page do not reload it. */
export function navigate(path: string) {
  history.pushState(null, '', path);
  route();
}

document.addEventListener('click', (event) => {
  const link = (event.target as Element).closest?.('a[data-route]');
  if (!link || event.defaultPrevented || event.metaKey || event.ctrlKey) return;
  event.preventDefault();
  navigate(link.getAttribute('href')!);
});
window.addEventListener('popstate', () => route());

function route() {
  leavePage();
  leavePage = () => {};
  if (!api) return showSignIn();
  const match = /^\/campaigns\/([^/]+)$/.exec(location.pathname);
  leavePage = match ? showCampaign(root, api, decodeURIComponent(match[1]), navigate) : showCampaigns(root, api);
}

async function signIn(key: string): Promise<string | null> {
  const candidate = new Api(key);
  try {
    const { organization } = await candidate.request(SignedInOrganizationDocument, {});
    storeKey(key);
    api = candidate;
    // A key revoked while the page is open: back to the sign-in form, saying why.
    candidate.onUnauthorized = () => {
      if (api === candidate) signOutWith('This API key was revoked or has expired: paste another one.');
    };
    orgName.textContent = `${organization.name} · ${Math.floor(organization.balanceMinutes)} min`;
    signOut.hidden = false;
    api.onState((state) => {
      connection.textContent = CONNECTION_TEXT[state];
      connection.dataset.state = state;
    });
    route();
    return null;
  } catch (error) {
    candidate.close();
    return error instanceof ApiError ? error.message : 'callboard did not answer.';
  }
}

function showSignIn(message = '') {
  const input = h('input', { id: 'api-key', name: 'api-key', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false' });
  const error = h('p', { class: 'error', role: 'alert' }, message);
  const form = h(
    'form',
    { class: 'card sign-in', 'aria-labelledby': 'sign-in-title' },
    h('h1', { id: 'sign-in-title' }, 'Sign in'),
    h('p', {}, 'Paste an API key. `npm start` prints one on first start; `callboard keys create` makes more. The key stays in this tab only.'),
    h('label', { for: 'api-key' }, 'API key'),
    input,
    h('button', { type: 'submit' }, 'Sign in'),
    error,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const problem = await signIn(input.value.trim());
    if (problem) error.textContent = problem;
  });
  replace(root, form);
  input.focus();
}

function signOutWith(message = '') {
  forgetKey();
  leavePage();
  leavePage = () => {};
  api?.close();
  api = null;
  orgName.textContent = '';
  connection.textContent = '';
  signOut.hidden = true;
  showSignIn(message);
}

signOut.addEventListener('click', () => signOutWith());

const key = storedKey();
if (key) {
  void signIn(key).then((problem) => {
    if (problem) {
      forgetKey();
      showSignIn(problem);
    }
  });
} else showSignIn();
