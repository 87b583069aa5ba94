/** `/`: the organisation's campaigns, newest first, filtered by status, live (campaignsUpdated). */
import type { Api } from './api';
import { createDemoCampaign } from './demo';
import { badge, coalesce, dateTime, h, label, percent, replace } from './dom';
import { CampaignListDocument, CampaignsUpdatedDocument, type CampaignRowFragment, type CampaignStatus } from './gql/graphql';
import { keepSubscribed } from './live';

const STATUSES: CampaignStatus[] = ['DRAFT', 'SCHEDULED', 'RUNNING', 'PAUSED', 'COMPLETED', 'CANCELED'];
const PAGE = 100;

export function showCampaigns(root: HTMLElement, api: Api): () => void {
  const rows = new Map<string, CampaignRowFragment>();
  let total = 0;
  let status: CampaignStatus | '' = (new URLSearchParams(location.search).get('status') as CampaignStatus) ?? '';
  const body = h('tbody');
  const summary = h('p', { class: 'muted', role: 'status' });
  const message = h('p', { class: 'error', role: 'alert' });

  const filter = h('select', { id: 'status-filter' }, h('option', { value: '' }, 'All statuses'), ...STATUSES.map((s) => h('option', { value: s }, label(s))));
  filter.value = status;
  filter.addEventListener('change', () => {
    status = filter.value as CampaignStatus | '';
    history.replaceState(null, '', status ? `/?status=${status}` : '/');
    void load();
  });

  const demo = h('button', { type: 'button', class: 'secondary' }, 'Create a demo campaign');
  demo.addEventListener('click', async () => {
    demo.disabled = true;
    message.textContent = '';
    try {
      await createDemoCampaign(api);
      await load();
    } catch (error) {
      message.textContent = (error as Error).message;
    } finally {
      demo.disabled = false;
    }
  });

  const render = coalesce(() => {
    const shown = [...rows.values()].filter((c) => !c.deletedAt && (!status || c.status === status)).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    replace(body, ...shown.map(row));
    summary.textContent = shown.length ? `${Math.max(total, shown.length)} campaign(s)` : 'No campaigns yet: create a demo campaign, or one through the API.';
  });

  async function load() {
    try {
      const { campaigns } = await api.request(CampaignListDocument, { filter: status ? { statuses: [status] } : null, first: PAGE, after: null });
      rows.clear();
      for (const edge of campaigns.edges) rows.set(edge.node.id, edge.node);
      total = campaigns.totalCount;
      render();
    } catch (error) {
      message.textContent = (error as Error).message;
    }
  }

  replace(
    root,
    h(
      'section',
      { 'aria-labelledby': 'campaigns-title' },
      h('div', { class: 'title-row' }, h('h1', { id: 'campaigns-title' }, 'Campaigns'), demo),
      h('div', { class: 'filters' }, h('label', { for: 'status-filter' }, 'Status'), filter),
      message,
      h(
        'table',
        { class: 'data', 'aria-describedby': 'campaigns-title' },
        h(
          'thead',
          {},
          h('tr', {}, ...['Name', 'Status', 'AI employee', 'Created', 'Contacts', 'Completed', 'Failed', 'Progress'].map((t) => h('th', { scope: 'col' }, t))),
        ),
        body,
      ),
      summary,
    ),
  );
  void load();
  // A campaign that changes (or appears) replaces its row; the filter then decides if it shows.
  const stop = keepSubscribed(
    api,
    CampaignsUpdatedDocument,
    () => ({}),
    ({ campaignsUpdated }) => {
      if (!rows.has(campaignsUpdated.id)) total += 1;
      rows.set(campaignsUpdated.id, campaignsUpdated);
      render();
    },
  );
  return stop;
}

function row(c: CampaignRowFragment) {
  return h(
    'tr',
    { 'data-campaign': c.id },
    h('td', {}, h('a', { href: `/campaigns/${encodeURIComponent(c.id)}`, 'data-route': true }, c.name)),
    h('td', {}, badge(c.status)),
    h('td', {}, c.agent?.name ?? '—'),
    h('td', {}, dateTime(c.createdAt)),
    h('td', { class: 'num' }, c.stats.total),
    h('td', { class: 'num' }, c.stats.completed),
    h('td', { class: 'num' }, c.stats.failed),
    h('td', { class: 'num' }, percent(c.stats.progress)),
  );
}
