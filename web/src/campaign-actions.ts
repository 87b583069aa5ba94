/**
 * The campaign's buttons — exactly Campaign.availableActions, in its order — plus exports and the
 * CSV upload. Each mutation answers a union: a typed error's message is shown, nothing else happens.
 */
import type { Api } from './api';
import { h, label, replace } from './dom';
import {
  CompleteCampaignDocument,
  DeleteCampaignDocument,
  DuplicateCampaignDocument,
  PauseCampaignDocument,
  ResumeCampaignDocument,
  RetryFailedCallsDocument,
  StartCampaignDocument,
  StopCampaignDocument,
  type CampaignAction,
  type CampaignDetailFragment,
} from './gql/graphql';

type Result = { __typename: string; message?: string; campaign?: { id: string } };
type Run = (api: Api, id: string) => Promise<Result>;

// SCHEDULE, EDIT and ADD_CONTACTS need a form: the upload below covers ADD_CONTACTS; scheduling
// and editing are left to the API.
const BUTTONS: Partial<Record<CampaignAction, { text: string; run: Run; confirm?: string }>> = {
  START: { text: 'Start', run: async (api, id) => (await api.request(StartCampaignDocument, { id })).startCampaign },
  PAUSE: { text: 'Pause', run: async (api, id) => (await api.request(PauseCampaignDocument, { id })).pauseCampaign },
  RESUME: { text: 'Resume', run: async (api, id) => (await api.request(ResumeCampaignDocument, { id })).resumeCampaign },
  STOP: {
    text: 'Stop',
    confirm: 'Stop the campaign? Calls not dialed yet are canceled.',
    run: async (api, id) => (await api.request(StopCampaignDocument, { id })).stopCampaign,
  },
  RETRY_FAILED: { text: 'Retry failed', run: async (api, id) => (await api.request(RetryFailedCallsDocument, { id })).retryFailedCalls },
  COMPLETE: { text: 'Complete', run: async (api, id) => (await api.request(CompleteCampaignDocument, { id })).completeCampaign },
  DUPLICATE: { text: 'Duplicate', run: async (api, id) => (await api.request(DuplicateCampaignDocument, { id })).duplicateCampaign },
  DELETE: {
    text: 'Delete',
    confirm: 'Delete the campaign? It stops and disappears from the list; its calls stay readable.',
    run: async (api, id) => (await api.request(DeleteCampaignDocument, { id })).deleteCampaign,
  },
};

const FILES: Array<['csvUrl' | 'jsonUrl' | 'pdfUrl', string, string]> = [
  ['csvUrl', 'CSV', 'csv'],
  ['jsonUrl', 'JSON Lines', 'jsonl'],
  ['pdfUrl', 'PDF report', 'pdf'],
];

export function actionsPanel(api: Api, campaignId: string, options: { changed: () => void; navigate: (path: string) => void }) {
  const buttons = h('div', { class: 'actions', role: 'group', 'aria-label': 'Campaign actions' });
  const message = h('p', { class: 'error', role: 'alert' });
  const exports = h('div', { class: 'actions', role: 'group', 'aria-label': 'Exports' });
  const file = h('input', { id: 'contacts-file', type: 'file', accept: '.csv,text/csv' });
  const country = h('input', { id: 'contacts-country', value: 'US', size: 3, maxlength: 2 });
  const upload = h('button', { type: 'submit', class: 'secondary' }, 'Upload contacts');
  const uploaded = h('p', { class: 'muted', role: 'status' });
  const form = h(
    'form',
    { class: 'upload', 'aria-label': 'Upload contacts' },
    h('label', { for: 'contacts-file' }, 'CSV file'),
    file,
    h('label', { for: 'contacts-country' }, 'Default country'),
    country,
    upload,
    uploaded,
  );
  let campaign: CampaignDetailFragment | null = null;

  async function act(action: CampaignAction) {
    const button = BUTTONS[action]!;
    if (button.confirm && !window.confirm(button.confirm)) return;
    message.textContent = '';
    for (const b of buttons.querySelectorAll('button')) b.disabled = true;
    try {
      const result = await button.run(api, campaignId);
      if (result.message) message.textContent = `${label(action)}: ${result.message}`;
      else if (action === 'DUPLICATE' && result.campaign) options.navigate(`/campaigns/${encodeURIComponent(result.campaign.id)}`);
      else if (action === 'DELETE') options.navigate('/');
      else options.changed();
    } catch (error) {
      message.textContent = (error as Error).message;
    } finally {
      for (const b of buttons.querySelectorAll('button')) b.disabled = false;
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const chosen = file.files?.[0];
    if (!chosen) return void (uploaded.textContent = 'Choose a CSV file first.');
    upload.disabled = true;
    uploaded.textContent = 'Uploading…';
    try {
      const report = await api.uploadContacts(campaignId, chosen, country.value.trim().toUpperCase());
      uploaded.textContent = `Added ${report.added}, skipped ${report.skipped}.`;
      form.reset();
      options.changed();
    } catch (error) {
      uploaded.textContent = (error as Error).message;
    } finally {
      upload.disabled = false;
    }
  });

  function render(next: CampaignDetailFragment) {
    const before = campaign;
    campaign = next;
    if (!before || before.availableActions.join() !== next.availableActions.join()) {
      const shown = next.availableActions.filter((a) => BUTTONS[a]);
      replace(
        buttons,
        ...shown.map((action) =>
          h(
            'button',
            { type: 'button', class: action === 'STOP' || action === 'DELETE' ? 'danger' : '', 'data-action': action, onclick: () => void act(action) },
            BUTTONS[action]!.text,
          ),
        ),
      );
      form.hidden = !next.availableActions.includes('ADD_CONTACTS');
    }
    if (!before) {
      replace(
        exports,
        ...FILES.map(([key, text, extension]) =>
          h('button', { type: 'button', class: 'secondary', onclick: () => void download(key, extension) }, `Export ${text}`),
        ),
      );
    }
  }

  async function download(key: 'csvUrl' | 'jsonUrl' | 'pdfUrl', extension: string) {
    if (!campaign) return;
    try {
      await api.download(campaign[key], `${campaign.name.replace(/[^\w.-]+/g, '-')}.${extension}`);
    } catch (error) {
      message.textContent = (error as Error).message;
    }
  }

  const element = h(
    'section',
    { 'aria-labelledby': 'controls-title' },
    h('h2', { id: 'controls-title', class: 'visually-hidden' }, 'Controls'),
    buttons,
    message,
    exports,
    form,
  );
  return { element, render };
}
