/** The parts of the campaign page drawn from one Campaign: header, stat cards, progress, outcomes. */
import { badge, dateTime, duration, h, label, percent, replace } from './dom';
import type { CampaignDetailFragment } from './gql/graphql';

type Stats = CampaignDetailFragment['stats'];

/** Widths through the CSSOM: the Content-Security-Policy refuses inline style attributes. */
function sized<E extends HTMLElement>(element: E, percentWidth: number): E {
  element.style.width = `${percentWidth}%`;
  return element;
}

const CARDS: Array<[keyof Stats, string, (s: Stats) => string | number]> = [
  ['total', 'Total', (s) => s.total],
  ['pending', 'Pending', (s) => s.pending + s.retryScheduled],
  ['inProgress', 'In progress', (s) => s.inProgress],
  ['completed', 'Completed', (s) => s.completed],
  ['failed', 'Failed', (s) => s.failed],
  ['skipped', 'Skipped', (s) => s.skipped],
  ['canceled', 'Canceled', (s) => s.canceled],
  ['totalTimeSpentSeconds', 'Time spent', (s) => duration(s.totalTimeSpentSeconds)],
  ['successRate', 'Success rate', (s) => percent(s.successRate)],
];

export function header(c: CampaignDetailFragment) {
  const facts: Array<[string, string]> = [
    ['AI employee', c.agent?.name ?? 'none assigned'],
    ['Created', dateTime(c.createdAt)],
    ['Started', dateTime(c.startedAt)],
    [c.canceledAt ? 'Stopped' : 'Completed', dateTime(c.canceledAt ?? c.completedAt)],
    ['Running for', duration(c.durationSeconds)],
  ];
  return [
    h('div', { class: 'title-row' }, h('h1', { id: 'campaign-title' }, c.name), badge(c.status)),
    c.pauseReason ? h('p', { class: 'notice' }, `Paused: ${label(c.pauseReason)}`) : null,
    c.scheduleProblem ? h('p', { class: 'notice' }, `Not started: ${c.scheduleProblem}`) : null,
    h('dl', { class: 'facts' }, ...facts.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)])),
  ];
}

/** Cards carry data-stat so tests (and users' scripts) can read them. "Pending" includes waiting retries. */
export function statCards(stats: Stats) {
  return h(
    'div',
    { class: 'cards' },
    ...CARDS.map(([key, title, value]) =>
      h('div', { class: 'card stat', 'data-stat': key }, h('span', { class: 'stat-label' }, title), h('strong', {}, value(stats))),
    ),
  );
}

export function progressBar(stats: Stats) {
  const value = Math.round(stats.progress * 100);
  return h(
    'div',
    { class: 'progress-row' },
    h(
      'div',
      { class: 'progress', role: 'progressbar', 'aria-label': 'Progress', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': value },
      sized(h('div', { class: 'progress-fill' }), value),
    ),
    h('span', {}, `${value}% processed`),
  );
}

/** Outcome distribution as labelled bars (a table underneath, so screen readers get the numbers). */
export function outcomeChart(stats: Stats) {
  const rows = stats.byOutcome.filter((o) => o.count > 0).sort((a, b) => b.count - a.count);
  const max = Math.max(1, ...rows.map((o) => o.count));
  return h(
    'section',
    { 'aria-labelledby': 'outcomes-title' },
    h('h2', { id: 'outcomes-title' }, 'Outcomes'),
    rows.length
      ? h(
          'table',
          { class: 'chart' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Outcome'), h('th', { scope: 'col' }, 'Calls'))),
          h(
            'tbody',
            {},
            ...rows.map((o) =>
              h(
                'tr',
                { 'data-outcome': o.outcome },
                h('th', { scope: 'row' }, label(o.outcome)),
                h('td', {}, sized(h('span', { class: 'bar' }), (o.count / max) * 100), h('span', { class: 'bar-value' }, o.count)),
              ),
            ),
          ),
        )
      : h('p', { class: 'muted' }, 'No outcomes yet.'),
  );
}

export function renderView(parts: { header: HTMLElement; cards: HTMLElement; progress: HTMLElement; chart: HTMLElement }, c: CampaignDetailFragment) {
  replace(parts.header, ...header(c));
  replace(parts.cards, statCards(c.stats));
  replace(parts.progress, progressBar(c.stats));
  replace(parts.chart, outcomeChart(c.stats));
}
