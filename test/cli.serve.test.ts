import { afterAll, describe, expect, it } from 'vitest';
import { CLI_TEST_TIMEOUT_MS, makeCliTarget, queryOver, runCli, startServe } from './helpers/cli.ts';
import { makeLeftovers } from './helpers/ws.ts';

// `callboard serve` as a child process on the suite's database kind (a temporary PGlite folder,
// or an empty PostgreSQL database of its own when DATABASE_URL is set).
const leftovers = makeLeftovers();
afterAll(() => leftovers.disposeAll());

const BOOTSTRAP_KEY = 'cli-test-bootstrap-key-0123456789';

describe('callboard serve', () => {
  it(
    'serves keys from `keys create` and CALLBOARD_BOOTSTRAP_KEY, stops on SIGTERM with 0, and keeps data across a restart',
    async () => {
      const target = await makeCliTarget(leftovers);
      const env = { ...target.env, CALLBOARD_BOOTSTRAP_KEY: BOOTSTRAP_KEY };

      // The embedded database serves one process, so keys are made before the server starts.
      const created = await runCli(['keys', 'create', '--org', 'acme'], target.env, leftovers);
      expect(created.code).toBe(0);
      expect(created.stdout).toMatch(/^cb_[A-Za-z0-9_-]{43}\n$/);
      const acmeKey = created.stdout.trim();

      // `npm start` runs serve with the worker and scheduler: that is what must stop cleanly.
      const first = await startServe(env, leftovers, ['serve']);
      expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
      const health = await fetch(first.url.replace(/\/graphql$/, '/health'));
      expect([health.status, await health.text()]).toEqual([200, 'ok']);

      expect(await queryOver(first.url, acmeKey, '{ organization { name } }')).toEqual({
        status: 200,
        body: { data: { organization: { name: 'acme' } } },
      });
      expect(await queryOver(first.url, BOOTSTRAP_KEY, '{ organization { name } }')).toEqual({
        status: 200,
        body: { data: { organization: { name: 'default' } } },
      });
      expect((await queryOver(first.url, null, '{ organization { name } }')).status).toBe(401);
      // A bootstrap key is never printed or written to the data folder.
      expect(first.child.stdout()).not.toContain(BOOTSTRAP_KEY);

      const made = await queryOver(
        first.url,
        acmeKey,
        'mutation { createCampaign(input: { name: "Survives restarts" }) { __typename ... on CreateCampaignPayload { campaign { id } } } }',
      );
      const campaignId = made.body.data?.createCampaign.campaign.id as string;
      expect(campaignId).toEqual(expect.any(String));

      first.child.proc.kill('SIGTERM');
      expect(await first.child.waitForExit()).toEqual({ code: 0, signal: null });
      expect(first.child.logs().map((l) => l.msg)).toEqual(expect.arrayContaining(['shutting down', 'stopped']));

      const second = await startServe(env, leftovers);
      const after = await queryOver(second.url, acmeKey, 'query($id: ID!) { campaign(id: $id) { name status } }', { id: campaignId });
      expect(after.body).toEqual({ data: { campaign: { name: 'Survives restarts', status: 'DRAFT' } } });
      second.child.proc.kill('SIGINT');
      expect(await second.child.waitForExit()).toEqual({ code: 0, signal: null });
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    'creates keys by organisation id as well as by name, with a scope',
    async () => {
      const target = await makeCliTarget(leftovers);
      const admin = (await runCli(['keys', 'create', '--org', 'globex', '--name', 'ops'], target.env, leftovers)).stdout.trim();
      const first = await startServe(target.env, leftovers);
      const org = await queryOver(first.url, admin, '{ organization { id name } }');
      expect(org.body.data?.organization.name).toBe('globex');
      first.child.proc.kill('SIGTERM');
      expect((await first.child.waitForExit()).code).toBe(0);

      const byId = await runCli(['keys', 'create', '--org', org.body.data?.organization.id, '--scope', 'read'], target.env, leftovers);
      expect(byId.code).toBe(0);
      const unknownId = await runCli(['keys', 'create', '--org', '00000000-0000-4000-8000-000000000000'], target.env, leftovers);
      expect(unknownId).toMatchObject({ code: 1, stderr: expect.stringContaining('no organisation has the id') });

      const second = await startServe(target.env, leftovers);
      expect((await queryOver(second.url, byId.stdout.trim(), '{ organization { name } }')).body).toEqual({
        data: { organization: { name: 'globex' } },
      });
      second.child.proc.kill('SIGTERM');
      expect((await second.child.waitForExit()).code).toBe(0);
    },
    CLI_TEST_TIMEOUT_MS,
  );
});
