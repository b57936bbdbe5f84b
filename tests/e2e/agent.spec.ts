import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { jobEnv, runAgent, startAgent } from '../integration/agent/agent-cli';
import { startRelayProcess, type RelayProcess } from '../integration/sync/harness';
import type { Regvault } from './harness';
import { sampleEntry } from './registry-samples';
import { closeTeam, startPerson } from './team-people';

// The app as the admin of a pipeline: "This is a pipeline or service" in Invite member, the headless
// agent (`regvault agent join`, a real process) completed by the app like any joiner, and Members
// showing it under the name it gave, as a Viewer with a Service tag.

let relay: RelayProcess | undefined;
const apps: Regvault[] = [];

test.afterEach(async () => {
  await closeTeam(apps, relay);
  relay = undefined;
});

test('an admin invites a pipeline; the agent joins and shows in Members as a Service', async () => {
  test.setTimeout(180_000);
  const alice = await startPerson(apps, 'Alice');
  relay = await startRelayProcess({ args: ['--allowed-origins', alice.app.origin] });
  await alice.vault.newVault('Production');
  await alice.vault.addRegistry(sampleEntry('Registry for CI', 'ci'));
  await alice.sync.configure(relay.url);
  await alice.sync.expectStatus('Synced');

  const invitation = await alice.team.inviteService();
  const home = mkdtempSync(join(tmpdir(), 'regvault-agent-e2e-'));
  const joining = startAgent(
    ['agent', 'join', invitation.code, '--name', 'GitHub Actions — api repo'],
    jobEnv(home, {}),
  );
  // The agent shows the digits of its own join request; the admin compares them and confirms.
  const line = await joining.waitForLine(/^Fingerprint/);
  const digits = /^Fingerprint ([\d ]+):/.exec(line)?.[1]?.trim() ?? '';
  expect(digits).toMatch(/^\d{3} \d{3} \d{3} \d{3}$/);
  await alice.team.confirmJoiner(
    'GitHub Actions — api repo',
    "GitHub Actions — api repo wants to join 'Production' as Viewer",
    digits,
  );
  const joined = await joining.done;
  expect(joined.code, joined.stderr).toBe(0);
  await alice.team.closeInvite();

  const members = await alice.team.openMembers();
  const agent = alice.team.person(members, 'GitHub Actions — api repo');
  await expect(agent.getByTestId('member-service')).toHaveText('Service');
  await expect(agent.getByLabel('Role of GitHub Actions — api repo')).toHaveValue('reader');
  await expect(alice.team.person(members, 'Alice').getByTestId('member-service')).toHaveCount(0);

  // The agent reads what the app wrote.
  const got = await runAgent(['get', 'ci.example.com'], jobEnv(home, { REGVAULT_AGENT_KEY: joined.stdout.trim() }));
  expect(got.stdout).toBe('ci-secret\n');
});
