/**
 * The campaign's contacts: status and outcome filters, sort, page size and cursor pagination both
 * ways. A row opens its attempts (transcript, summary, recording) in a dialog. `refresh()` re-reads
 * the page in view; the detail page calls it (at most once a second) as calls change.
 */
import type { Api } from './api';
import { badge, dateTime, duration, h, label, replace } from './dom';
import { CallAttemptsDocument, CampaignCallsDocument, type CallOrderField, type CallOutcome, type CallRowFragment, type CallStatus } from './gql/graphql';

const STATUSES: CallStatus[] = ['PENDING', 'IN_PROGRESS', 'RETRY_SCHEDULED', 'COMPLETED', 'FAILED', 'SKIPPED', 'CANCELED'];
const OUTCOMES: CallOutcome[] = [
  'MEETING_BOOKED',
  'CALLBACK_REQUESTED',
  'ANSWERED',
  'TRANSFERRED',
  'LEFT_MESSAGE',
  'NO_MESSAGE',
  'USER_HUNG_UP',
  'NO_ANSWER',
  'BUSY',
  'ISSUE_DIALING',
  'TECHNICAL_ERROR',
  'NOT_DIALED',
  'INVALID_NUMBER',
  'DUPLICATE',
  'DO_NOT_CALL',
  'PLAN_LIMIT_EXCEEDED',
];
const SORTS: Array<[CallOrderField, string]> = [
  ['CREATED_AT', 'Added'],
  ['NAME', 'Name'],
  ['PHONE', 'Phone'],
  ['STATUS', 'Status'],
  ['OUTCOME', 'Outcome'],
  ['PROCESSED_AT', 'Processed'],
];

type Page = { after?: string | null; before?: string | null };

const select = (id: string, options: Array<[string, string]>) => h('select', { id }, ...options.map(([value, text]) => h('option', { value }, text)));

export function contactTable(api: Api, campaignId: string) {
  const status = select('call-status', [['', 'All statuses'], ...STATUSES.map((s): [string, string] => [s, label(s)])]);
  const outcome = select('call-outcome', [['', 'All outcomes'], ...OUTCOMES.map((o): [string, string] => [o, label(o)])]);
  const sort = select('call-sort', SORTS);
  const direction = select('call-direction', [
    ['ASC', 'Ascending'],
    ['DESC', 'Descending'],
  ]);
  const size = select('call-page-size', [
    ['10', '10'],
    ['20', '20'],
    ['50', '50'],
    ['100', '100'],
  ]);
  size.value = '20';
  const body = h('tbody');
  const info = h('p', { class: 'muted', role: 'status', id: 'calls-info' });
  const previous = h('button', { type: 'button', class: 'secondary' }, 'Previous');
  const next = h('button', { type: 'button', class: 'secondary' }, 'Next');
  const dialog = h('dialog', { 'aria-labelledby': 'attempts-title' });
  let page: Page = {};
  let cursors = { start: null as string | null, end: null as string | null };
  let reading = false;
  let again = false;

  async function refresh() {
    // One read at a time; a refresh asked for meanwhile runs once after it.
    if (reading) return void (again = true);
    reading = true;
    try {
      const perPage = Number(size.value);
      const backwards = page.before != null;
      const { campaign } = await api.request(CampaignCallsDocument, {
        id: campaignId,
        filter: { statuses: status.value ? [status.value as CallStatus] : null, outcomes: outcome.value ? [outcome.value as CallOutcome] : null },
        orderBy: { field: sort.value as CallOrderField, direction: direction.value as 'ASC' | 'DESC' },
        first: backwards ? null : perPage,
        after: page.after ?? null,
        last: backwards ? perPage : null,
        before: page.before ?? null,
      });
      if (!campaign) return;
      const { edges, pageInfo, totalCount } = campaign.calls;
      cursors = { start: pageInfo.startCursor, end: pageInfo.endCursor };
      replace(body, ...edges.map((e) => row(e.node)));
      if (!edges.length) replace(body, h('tr', {}, h('td', { colspan: 8, class: 'muted' }, 'No calls match.')));
      info.textContent = `${totalCount} call(s)`;
      previous.disabled = !pageInfo.hasPreviousPage;
      next.disabled = !pageInfo.hasNextPage;
    } catch (error) {
      info.textContent = (error as Error).message;
    } finally {
      reading = false;
      if (again) {
        again = false;
        void refresh();
      }
    }
  }

  const restart = () => {
    page = {};
    void refresh();
  };
  for (const control of [status, outcome, sort, direction, size]) control.addEventListener('change', restart);
  previous.addEventListener('click', () => {
    page = { before: cursors.start };
    void refresh();
  });
  next.addEventListener('click', () => {
    page = { after: cursors.end };
    void refresh();
  });

  function row(call: CallRowFragment) {
    const open = h('button', { type: 'button', class: 'link', 'aria-haspopup': 'dialog' }, call.name || call.phoneNumber);
    open.addEventListener('click', () => void showAttempts(call.id));
    return h(
      'tr',
      { 'data-call': call.id },
      h('td', {}, open),
      h('td', {}, call.phoneNumber),
      h('td', {}, badge(call.status)),
      h('td', {}, label(call.outcome)),
      h('td', { class: 'num' }, call.attemptCount),
      h('td', { class: 'num' }, duration(call.durationSeconds)),
      h('td', {}, dateTime(call.processedAt)),
      h('td', { class: 'muted' }, call.waitReason ?? ''),
    );
  }

  async function showAttempts(callId: string) {
    const { node } = await api.request(CallAttemptsDocument, { id: callId });
    if (!node || !('attempts' in node)) return;
    const close = h('button', { type: 'button', class: 'secondary' }, 'Close');
    close.addEventListener('click', () => dialog.close());
    replace(
      dialog,
      h('h2', { id: 'attempts-title' }, `${node.name || node.phoneNumber} · ${node.phoneNumber}`),
      node.attempts.length ? null : h('p', { class: 'muted' }, 'Not dialed yet.'),
      ...node.attempts.map((a) =>
        h(
          'article',
          { class: 'attempt' },
          h('h3', {}, `Attempt ${a.number}: ${label(a.outcome)}${a.answeredBy ? ` (${label(a.answeredBy)})` : ''}`),
          h('p', { class: 'muted' }, `${dateTime(a.startedAt)} · ${duration(a.durationSeconds)}`),
          a.summary ? h('p', {}, h('strong', {}, 'Summary: '), a.summary) : null,
          a.transcript ? h('pre', { class: 'transcript' }, a.transcript) : null,
          a.recordingUrl ? h('p', {}, h('a', { href: a.recordingUrl, rel: 'noreferrer', target: '_blank' }, 'Recording')) : null,
        ),
      ),
      close,
    );
    dialog.showModal();
  }

  const controls = h(
    'div',
    { class: 'filters' },
    h('label', { for: 'call-status' }, 'Status'),
    status,
    h('label', { for: 'call-outcome' }, 'Outcome'),
    outcome,
    h('label', { for: 'call-sort' }, 'Sort by'),
    sort,
    h('label', { for: 'call-direction' }, 'Order'),
    direction,
    h('label', { for: 'call-page-size' }, 'Per page'),
    size,
  );
  const heads = ['Contact', 'Phone', 'Status', 'Outcome', 'Attempts', 'Talk time', 'Processed', 'Waiting because'];
  const element = h(
    'section',
    { 'aria-labelledby': 'calls-title' },
    h('h2', { id: 'calls-title' }, 'Contacts'),
    controls,
    h('table', { class: 'data', 'aria-describedby': 'calls-info' }, h('thead', {}, h('tr', {}, ...heads.map((t) => h('th', { scope: 'col' }, t)))), body),
    h('div', { class: 'pager' }, previous, info, next),
    dialog,
  );
  void refresh();
  return { element, refresh };
}
