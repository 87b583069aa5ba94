/** Campaigns the bench makes through callboard's own API, for the groups that dial. */
import { gql } from './harness.ts';

/** Unique valid US numbers: area codes 202… × 7 digits. */
export const benchPhone = (n: number) => `+1${202 + Math.floor(n / 8_000_000)}${String(2_000_000 + (n % 8_000_000))}`;

/**
 * An agent and a campaign that dials whenever the bench runs — every day, all day, in UTC, without
 * the legal-hours clamp (the numbers are made up) — one attempt per call, holding `contacts`
 * contacts numbered from `firstNumber` (benchPhone unless `phone` says otherwise; added 1,000 at a
 * time). Returns the campaign's id.
 */
export async function dialableCampaign(
  url: string,
  headers: Record<string, string>,
  options: { name: string; maxConcurrentCalls: number; contacts: number; firstNumber?: number; phone?: (n: number) => string },
): Promise<string> {
  const agent = await gql(url, headers, 'mutation{createAgent(input:{name:"Ava",script:"Hi {{name}}"}){...on CreateAgentPayload{agent{id}}}}');
  const created = await gql(
    url,
    headers,
    `mutation($name:String!,$agent:ID!,$max:Int!){createCampaign(input:{name:$name,agentId:$agent,settings:{timezone:"UTC",clampToLegalHours:false,maxAttempts:1,
      maxConcurrentCalls:$max,callingWindow:{days:[MONDAY,TUESDAY,WEDNESDAY,THURSDAY,FRIDAY,SATURDAY,SUNDAY],start:"00:00",end:"23:59"}}}){...on CreateCampaignPayload{campaign{id}}}}`,
    { name: options.name, agent: agent.createAgent.agent.id, max: options.maxConcurrentCalls },
  );
  const id: string = created.createCampaign.campaign.id;
  const first = options.firstNumber ?? 0;
  const phone = options.phone ?? benchPhone;
  for (let i = 0; i < options.contacts; i += 1000) {
    const contacts = Array.from({ length: Math.min(1000, options.contacts - i) }, (_, j) => ({
      phoneNumber: phone(first + i + j),
      name: `Contact ${i + j}`,
    }));
    const added = await gql(url, headers, 'mutation($input:AddContactsInput!){addContacts(input:$input){...on AddContactsPayload{added}}}', {
      input: { campaignId: id, contacts },
    });
    if (added.addContacts?.added !== contacts.length) throw new Error(`contacts: ${JSON.stringify(added)}`);
  }
  return id;
}
