/**
 * "Create a demo campaign": an agent, a DRAFT campaign and 60 contacts, made through the same
 * public mutations any client uses, so a new user can press Start and watch it run.
 */
import type { Api } from './api';
import { AddDemoContactsDocument, CreateDemoAgentDocument, CreateDemoCampaignDocument, type Weekday } from './gql/graphql';

const CONTACTS = 60;
const ALL_DAYS: Weekday[] = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'];

/**
 * The demo's numbers are fictional, so their people "live" where it is daytime now (a fixed-offset
 * Etc zone between 10:00 and 18:00): the demo dials whenever it is opened. Real contacts are judged
 * in the zone of their number (or the one the upload gives), and the 08:00–21:00 bound still holds.
 */
function daytimeZone(now = new Date()): string {
  for (let offset = -12; offset <= 14; offset++) {
    // Etc/GMT signs are inverted: Etc/GMT-3 is UTC+3.
    const zone = offset === 0 ? 'UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
    const hour = Number(new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: 'numeric', hourCycle: 'h23' }).format(now));
    if (hour >= 10 && hour < 18) return zone;
  }
  return 'UTC';
}
const FIRST_NAMES = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Margaret', 'Dennis'];

function fail(result: { __typename: string; message?: string }): never {
  throw new Error(result.message ?? `callboard answered ${result.__typename}`);
}

export async function createDemoCampaign(api: Api): Promise<string> {
  const zone = daytimeZone();
  const { createAgent } = await api.request(CreateDemoAgentDocument, {
    input: { name: 'Ava (demo)', script: 'You are Ava. Hi {{firstName}}, I am calling about your appointment.' },
  });
  if (createAgent.__typename !== 'CreateAgentPayload') fail(createAgent);
  const { createCampaign } = await api.request(CreateDemoCampaignDocument, {
    input: {
      name: `Demo campaign ${new Date().toLocaleString()}`,
      agentId: createAgent.agent.id,
      settings: { timezone: zone, callingWindow: { days: ALL_DAYS, start: '00:00', end: '23:59' }, maxConcurrentCalls: 10 },
    },
  });
  if (createCampaign.__typename !== 'CreateCampaignPayload') fail(createCampaign);
  const id = createCampaign.campaign.id;
  // US numbers in the 555-01xx range are fictional; the simulator answers them all.
  const contacts = Array.from({ length: CONTACTS }, (_, i) => ({
    name: `${FIRST_NAMES[i % FIRST_NAMES.length]} ${String.fromCharCode(65 + (i % 26))}.`,
    phoneNumber: `+1202555${String(100 + i).padStart(4, '0')}`,
    timezone: zone,
    variables: { firstName: FIRST_NAMES[i % FIRST_NAMES.length] },
  }));
  const { addContacts } = await api.request(AddDemoContactsDocument, { input: { campaignId: id, contacts } });
  if (addContacts.__typename !== 'AddContactsPayload') fail(addContacts);
  return id;
}
