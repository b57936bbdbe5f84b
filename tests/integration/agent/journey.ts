// The pipeline journey, played against the relay nodes given (one SQLite relay, or two PostgreSQL
// nodes): an admin (engine client) invites a Service Viewer, `regvault agent join` completes it, then
// each job runs in a fresh temp HOME holding only the agent key and the state, and logs skopeo in to a
// real htpasswd docker-registry — by config.json, by the helper, after a password rotation, with the
// relay stopped (and --max-age), and finally after the agent's removal.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import * as Y from 'yjs';
import { openState } from '../../../agent/state-file';
import { decodeAgentKey } from '../../../agent/agent-key';
import { decodeBase64, encodeBase64 } from '../../../shared/crypto/bytes';
import { openEnvelope, type VaultKey } from '../../../shared/sync/envelope';
import { openSnapshot, type Snapshot } from '../../../shared/sync/snapshot';
import { groupMembers, readPeople } from '../../../shared/team/people';
import { writeOciImage } from '../../support/oci-image';
import { startRegistry } from '../registry/registry-server';
import type { RelayProcess } from '../sync/harness';
import { asEnvelope, dumpRelay } from '../sync/relay-dump';
import { jobEnv, runAgent, startAgent, writeAgentHelper } from './agent-cli';
import { skopeoPull, skopeoPush } from './skopeo-job';
import { admitJoin, inviteService, removeMember, rotatePassword, startTeamAdmin, type TeamAdmin } from './team-admin';

const AGENT_NAME = 'GitHub Actions — api repo';

/** A fresh job: a temp HOME, the agent key, and the state as a file in it or as REGVAULT_AGENT_STATE. */
function newJob(agentKey: string, stateText: string, as: 'file' | 'env', binDir?: string) {
  const home = mkdtempSync(join(tmpdir(), 'regvault-job-'));
  const statePath = join(home, '.config', 'regvault', 'agent-state.json');
  if (as === 'file') {
    mkdirSync(join(home, '.config', 'regvault'), { recursive: true });
    writeFileSync(statePath, stateText);
  }
  const env = jobEnv(
    home,
    { REGVAULT_AGENT_KEY: agentKey, ...(as === 'env' ? { REGVAULT_AGENT_STATE: stateText } : {}) },
    binDir,
  );
  return { home, env, statePath, config: join(home, '.docker', 'config.json') };
}

function setPassword(htpasswd: string, user: string, password: string): void {
  writeFileSync(htpasswd, execFileSync('htpasswd', ['-Bbn', user, password]));
}

/** The keys an agent state holds for a vault (the one it was granted and any later epoch's). */
function keysIn(stateText: string, agentKey: string, vaultId: string): VaultKey[] {
  const key = decodeAgentKey(agentKey);
  if (!key) throw new Error('not an agent key');
  const vault = openState(stateText, key, 'state').vaults.find((v) => v.vaultId === vaultId);
  if (!vault) throw new Error('the state holds no such vault');
  const later = Object.entries(vault.cursor.keys ?? {}).map(([epoch, k]) => ({
    epoch: Number(epoch),
    key: decodeBase64(k),
  }));
  return [{ epoch: vault.vaultKey.epoch, key: decodeBase64(vault.vaultKey.key) }, ...later];
}

/** The later epochs' keys the admin's engine persisted (its storage keeps them in the clear in tests). */
function adminCursorKeys(admin: TeamAdmin): Readonly<Record<string, string>> {
  const storage = admin.client.client.storage as unknown as {
    peek: () => { cursor: { keys?: Record<string, string> } | null };
  };
  return storage.peek().cursor?.keys ?? {};
}

/** Plays the whole journey; `relays[0]` is the admin's node, `relays.at(-1)` the agent's. */
export async function playPipelineJourney(relays: readonly RelayProcess[]): Promise<void> {
  const agentRelay = relays.at(-1);
  if (!agentRelay) throw new Error('no relay');
  const registry = await startRegistry({ auth: 'htpasswd', users: { ci: 'pass-1-first' } });
  const admin = await startTeamAdmin(
    relays.map((r) => r.url),
    { registry: registry.host, username: 'ci', password: 'pass-1-first' },
  );
  try {
    // Joining: the admin invites a Service Viewer; the agent joins from its own machine.
    const { invitation, code } = await inviteService({ ...admin, relayUrl: agentRelay.url });
    const joinHome = mkdtempSync(join(tmpdir(), 'regvault-join-'));
    const joinState = join(joinHome, 'agent-state.json');
    const join1 = startAgent(['agent', 'join', code, '--name', AGENT_NAME, '--state', joinState], jobEnv(joinHome, {}));
    await join1.waitForLine(/Waiting for Alice to add this agent/);
    const agentDevice = await admitJoin(admin, invitation);
    const joined = await join1.done;
    expect(joined.code, joined.stderr).toBe(0);
    const agentKey = joined.stdout.trim();
    expect(agentKey).toMatch(/^rvk1-[A-Za-z0-9_-]{43}$/);
    expect(joined.stderr).toContain('Fingerprint');
    const stateText = readFileSync(joinState, 'utf8');
    for (const text of [stateText, joined.stderr]) {
      expect(text).not.toContain('pass-1-first');
      expect(text).not.toContain(registry.host);
    }
    // Members shows it with its name, as a Viewer, tagged Service.
    const people = readPeople(admin.client.client.doc);
    const group = groupMembers(
      admin.client.client.engine.members(),
      people,
      encodeBase64(admin.vault.owner.publicKey),
    ).find((g) => g.devices.some((d) => d.key === agentDevice));
    expect(group).toMatchObject({ name: AGENT_NAME, role: 'reader', service: true });

    // Job: docker login writes config.json; skopeo pushes and pulls with it. State given as a CI variable.
    const image = writeOciImage(mkdtempSync(join(tmpdir(), 'regvault-oci-')));
    const job1 = newJob(agentKey, stateText, 'env');
    const login1 = await runAgent(['docker', 'login'], job1.env);
    expect(login1.code, login1.stderr).toBe(0);
    expect(`${login1.stdout}${login1.stderr}`).not.toContain('pass-1-first');
    const config1 = JSON.parse(readFileSync(job1.config, 'utf8')) as { auths: Record<string, { auth: string }> };
    expect(Buffer.from(config1.auths[registry.host]?.auth ?? '', 'base64').toString()).toBe('ci:pass-1-first');
    const pushed = await skopeoPush(image, registry.host, 'app:v1', job1.config, job1.env);
    expect(pushed.code, pushed.output).toBe(0);
    const pulled1 = await skopeoPull(registry.host, 'app:v1', join(job1.home, 'pulled'), job1.config, job1.env);
    expect(pulled1.code, pulled1.output).toBe(0);
    // get (for --password-stdin) is the one command that prints the secret.
    const got = await runAgent(['get', registry.host, '--offline'], job1.env);
    expect(got.stdout).toBe('pass-1-first\n');
    expect((await runAgent(['get', registry.host, '--field', 'username', '--offline'], job1.env)).stdout).toBe('ci\n');
    const k8s = await runAgent(
      ['export', '--format', 'k8s', registry.host, '--offline', '--namespace', 'ci'],
      job1.env,
    );
    expect(k8s.stdout).toContain('type: kubernetes.io/dockerconfigjson');
    const pullSecret = /\.dockerconfigjson: (\S+)/.exec(k8s.stdout)?.[1] ?? '';
    expect(JSON.parse(Buffer.from(pullSecret, 'base64').toString())).toMatchObject({
      auths: { [registry.host]: { username: 'ci', password: 'pass-1-first' } },
    });
    const envLines = await runAgent(['export', '--format', 'env', registry.host, '--offline'], job1.env);
    expect(envLines.stdout).toContain(`_USERNAME='ci'`);
    const status = await runAgent(['status', '--offline', '--json'], job1.env);
    expect(JSON.parse(status.stdout)).toMatchObject({ name: AGENT_NAME, vaults: [{ vault: 'Production' }] });
    expect(status.stdout).not.toContain('pass-1-first');
    const checked = await runAgent(['check', '--json'], job1.env);
    expect(checked.code, checked.stderr).toBe(0);
    expect(checked.stdout).not.toContain('pass-1-first');

    // Job with --helper: config.json routes the registry to docker-credential-regvault and holds no secret.
    const bin = join(mkdtempSync(join(tmpdir(), 'regvault-bin-')), 'bin');
    await writeAgentHelper(bin);
    const job2 = newJob(agentKey, stateText, 'file', bin);
    const login2 = await runAgent(['docker', 'login', '--helper'], job2.env);
    expect(login2.code, login2.stderr).toBe(0);
    const config2Text = readFileSync(job2.config, 'utf8');
    expect(JSON.parse(config2Text)).toMatchObject({ credHelpers: { [registry.host]: 'regvault' } });
    expect(config2Text).not.toContain('pass-1-first');
    expect(config2Text).not.toContain(Buffer.from('ci:pass-1-first').toString('base64'));
    const pulled2 = await skopeoPull(registry.host, 'app:v1', join(job2.home, 'pulled'), job2.config, job2.env);
    expect(pulled2.code, pulled2.output).toBe(0);
    const pushed2 = await skopeoPush(image, registry.host, 'app:v2', job2.config, job2.env);
    expect(pushed2.code, pushed2.output).toBe(0);

    // The admin rotates the password (the registry's too): the next job logs in with the new one,
    // even when started from the state written at join.
    await rotatePassword(admin, 'pass-2-rotated');
    setPassword(registry.htpasswdPath ?? '', 'ci', 'pass-2-rotated');
    const stale = await runAgent(['check', '--offline'], job1.env);
    expect(stale.code).toBe(7);
    expect(stale.stdout).toContain('Check if password/token has expired');
    const job3 = newJob(agentKey, stateText, 'file');
    const login3 = await runAgent(['docker', 'login', registry.host], job3.env);
    expect(login3.code, login3.stderr).toBe(0);
    const pulled3 = await skopeoPull(registry.host, 'app:v1', join(job3.home, 'pulled'), job3.config, job3.env);
    expect(pulled3.code, pulled3.output).toBe(0);
    const freshState = readFileSync(job3.statePath, 'utf8');

    // The relay is stopped: the job uses its copy and says how old it is; --max-age makes it fail.
    await agentRelay.kill();
    const job4 = newJob(agentKey, freshState, 'env');
    const login4 = await runAgent(['docker', 'login'], job4.env);
    expect(login4.code, login4.stderr).toBe(0);
    expect(login4.stderr).toMatch(/cannot be reached.*using the copy of 'Production' synced .* ago/);
    const pulled4 = await skopeoPull(registry.host, 'app:v1', join(job4.home, 'pulled'), job4.config, job4.env);
    expect(pulled4.code, pulled4.output).toBe(0);
    const tooOld = await runAgent(['docker', 'login', '--max-age', '1ms'], newJob(agentKey, freshState, 'env').env);
    expect(tooOld.code).toBe(4);
    expect(tooOld.stderr).toContain('--max-age');
    await agentRelay.restart();

    // The admin removes the agent (the key rotates) and writes after the removal.
    const agentKeys = keysIn(freshState, agentKey, admin.vault.vaultId);
    const epoch = await removeMember(admin, agentDevice);
    await rotatePassword(admin, 'pass-3-AFTER-REMOVAL');
    const job5 = newJob(agentKey, freshState, 'file');
    const removed = await runAgent(['sync'], job5.env);
    expect(removed.code, removed.stderr).toBe(5);
    expect(removed.stderr).toContain("this agent was removed from 'Production' by Alice");
    expect(existsSync(job5.statePath)).toBe(false);

    // The agent's keys open nothing written after its removal (the relay's database, read directly).
    await admin.client.stop();
    for (const relay of relays) await relay.kill();
    const dump = await dumpRelay(agentRelay, admin.vault.vaultId);
    const newer = dump.envelopes.filter((row) => row.epoch >= epoch);
    expect(newer.length).toBeGreaterThanOrEqual(1);
    const readable = new Y.Doc();
    for (const row of dump.envelopes)
      for (const key of agentKeys) {
        const update = openEnvelope(asEnvelope(admin.vault.vaultId, row), key);
        if (update) Y.applyUpdate(readable, update);
        if (row.epoch >= epoch) expect(update).toBeNull();
      }
    expect(JSON.stringify(readable.toJSON())).not.toContain('pass-3-AFTER-REMOVAL');
    // Not vacuous: the admin's key of the new epoch opens every one of them.
    const adminKey = { epoch, key: decodeBase64(adminCursorKeys(admin)[String(epoch)] ?? '') };
    for (const row of newer) expect(openEnvelope(asEnvelope(admin.vault.vaultId, row), adminKey)).not.toBeNull();
    if (dump.snapshot) {
      const snap: Snapshot = { vault: admin.vault.vaultId, ...dump.snapshot };
      for (const key of agentKeys) if (dump.snapshot.epoch >= epoch) expect(openSnapshot(snap, key)).toBeNull();
    }
  } finally {
    await admin.client.stop();
    await registry.stop();
  }
}
