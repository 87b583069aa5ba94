/**
 * `/campaigns/:id`: one campaign, live. It reads the campaign once, then follows campaignEvents
 * from the last sequence it has seen: every event brings the campaign as it is now (header, cards,
 * buttons) and moves the history; call changes re-read the contact table at most once a second.
 * After a dropped connection it resumes with `after:` = the last sequence, so nothing is missed —
 * the page keeps that sequence and any gap it ever saw on its root (data-last-sequence,
 * data-gaps) for anyone who wants to check.
 */
import type { Api } from './api';
import { actionsPanel } from './campaign-actions';
import { renderView } from './campaign-view';
import { coalesce, dateTime, h, label, replace } from './dom';
import { contactTable } from './contact-table';
import { CampaignLiveDocument, CampaignPageDocument, type CampaignDetailFragment, type HistoryEventFragment } from './gql/graphql';
import { keepSubscribed } from './live';

const HISTORY = 30;
const TABLE_REFRESH_MS = 1000;

export function showCampaign(root: HTMLElement, api: Api, id: string, navigate: (path: string) => void): () => void {
  let stopped = false;
  let stopLive = () => {};
  let tableTimer: ReturnType<typeof setTimeout> | undefined;
  const view = { header: h('header', { class: 'campaign-header' }), cards: h('div'), progress: h('div'), chart: h('div') };
  // Focusable, so the scrolling list can be read with the keyboard too.
  const history = h('ol', { class: 'history', reversed: true, tabindex: 0, 'aria-label': 'Latest events, newest first' });
  const table = contactTable(api, id);
  const actions = actionsPanel(api, id, { changed: () => void reload(), navigate });
  const page = h(
    'article',
    { class: 'campaign', 'aria-labelledby': 'campaign-title' },
    h('p', {}, h('a', { href: '/', 'data-route': true }, '← All campaigns')),
    view.header,
    actions.element,
    view.cards,
    view.progress,
    h('div', { class: 'columns' }, view.chart, h('section', { 'aria-labelledby': 'history-title' }, h('h2', { id: 'history-title' }, 'History'), history)),
    table.element,
  );
  let campaign: CampaignDetailFragment | null = null;
  let lastSequence = 0;
  let gaps = 0;
  const events: HistoryEventFragment[] = [];

  const render = coalesce(() => {
    if (!campaign || stopped) return;
    renderView(view, campaign);
    actions.render(campaign);
    replace(history, ...events.map(historyItem));
    page.dataset.lastSequence = String(lastSequence);
    page.dataset.gaps = String(gaps);
  });

  const refreshTable = () => {
    tableTimer ??= setTimeout(() => {
      tableTimer = undefined;
      if (!stopped) void table.refresh();
    }, TABLE_REFRESH_MS);
  };

  async function reload() {
    const data = await api.request(CampaignPageDocument, { id });
    if (stopped) return null;
    if (!data.campaign) {
      replace(root, h('section', {}, h('h1', {}, 'Campaign not found'), h('p', {}, h('a', { href: '/', 'data-route': true }, 'All campaigns'))));
      return null;
    }
    campaign = data.campaign;
    render();
    void table.refresh();
    return data.campaign;
  }

  function onEvent(event: HistoryEventFragment & { campaign: CampaignDetailFragment }) {
    // A replay after a reconnection starts right after lastSequence; anything else is a bug to show.
    if (event.sequence <= lastSequence) return;
    if (event.sequence !== lastSequence + 1) gaps += 1;
    lastSequence = event.sequence;
    campaign = event.campaign;
    events.unshift(event);
    events.length = Math.min(events.length, HISTORY);
    if (event.kind !== 'CAMPAIGN_UPDATED') refreshTable();
    render();
  }

  replace(root, page);
  void reload().then((first) => {
    if (!first || stopped) return;
    // The last HISTORY events are replayed for the history list, then everything new.
    const start = Math.max(0, first.events.totalCount - HISTORY);
    lastSequence = start;
    stopLive = keepSubscribed(
      api,
      CampaignLiveDocument,
      () => ({ id, after: lastSequence }),
      ({ campaignEvents }) => onEvent(campaignEvents),
    );
  });
  return () => {
    stopped = true;
    clearTimeout(tableTimer);
    stopLive();
  };
}

function historyItem(event: HistoryEventFragment) {
  const what = event.call ? `${event.call.name || event.call.phoneNumber}: ${label(event.callStatus)}` : label(event.kind.replace(/^CAMPAIGN_/, 'CAMPAIGN '));
  return h('li', { value: event.sequence, 'data-kind': event.kind }, h('time', { datetime: event.createdAt }, dateTime(event.createdAt)), ' ', what);
}
