// Every vault of the unlocked profile is covered (issue #17), not only the open one: a token in a vault that is
// not open is refreshed on schedule (fake clock, fake `aws` on a temporary PATH, the real bridge to main) and
// saved as an edit of THAT vault — with "Changed by", an Activity "rotated" item and Docker config updated —
// while the open vault's document is left alone; the attention count and the reminders sum over all vaults.
import 'fake-indexeddb/auto';
import { flushSync } from 'svelte';
import { afterAll, afterEach, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { encodeBase64 } from '../../../../shared/crypto/bytes';
import { addEntry, getEntry, type NewEntryInput } from '../../../../shared/entries';
import { readActivity } from '../../../../shared/entries/activity';
import { valueOf } from '../../../../shared/test-result';
import { readConfigObject, removeDockerTestEnvs } from '../../../../electron/services/fixtures/docker-config-env';
import { AWS_ARGV, ECR, HOUR, refreshProfile } from '../../../../tests/support/refresh-profile';
import { toCredential } from '../docker-config-display';
import type { UnlockedProfile } from '../vault-db';
import { VaultView } from '../vault-view.svelte';
import type { RefreshSession } from './refresh-session.svelte';

const DAY = 24 * HOUR;
const cleanups: (() => unknown)[] = [];
afterAll(removeDockerTestEnvs);
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  vi.useRealTimers();
});

/** A profile with two vaults, the first one open; the clock (Date and timers, not IndexedDB's) is fake. */
async function twoVaults() {
  vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
  const made = await refreshProfile(['Personal', 'Team'], cleanups);
  const [open = '', other = ''] = made.vaultIds;
  expect(made.view.currentId).toBe(open);
  return { ...made, open, other };
}

/** Adds an entry straight into a vault's document, as this device's Edit would (the view shows another vault). */
async function addTo(profile: UnlockedProfile, vaultId: string, input: NewEntryInput): Promise<string> {
  const other = new VaultView(profile);
  await other.refreshVaults();
  await other.switchTo(vaultId);
  const id = valueOf(other.add(input)).id;
  other.close();
  return id;
}

async function docOf(profile: UnlockedProfile, vaultId: string): Promise<Y.Doc> {
  return valueOf(await profile.openVault(vaultId)).doc;
}

function start(refresh: RefreshSession): void {
  cleanups.push(refresh.start());
  flushSync();
}

it('refreshes on schedule a token in a vault that is not open, as an edit of that vault only', async () => {
  const { testEnv, clouds, sent, profile, view, refresh, open, other } = await twoVaults();
  const t0 = Date.now();
  const id = await addTo(profile, other, { registry: ECR, name: 'ECR team', secret: 'first-token', presetId: 'ecr' });
  valueOf(await refresh.commands.set(other, id, { argv: AWS_ARGV, approvedArgv: AWS_ARGV, lifetimeMs: 12 * HOUR }));
  // Regvault wrote this registry into Docker config before: the new token must reach it too.
  const entry = getEntry(await docOf(profile, other), id);
  const planned = valueOf(await window.regvault.docker.plan({ entries: [toCredential(valueOf(entry))], remove: [] }));
  valueOf(await window.regvault.docker.apply({ planId: planned.planId }));
  const openDoc = await docOf(profile, open);
  const openBefore = Y.encodeStateVector(openDoc);

  start(refresh);
  await vi.waitFor(() => expect(refresh.vaults.all.map((v) => v.vaultId).sort()).toEqual([open, other].sort()));
  expect(refresh.refresher.dueAt(valueOf(entry), other)).toBe(t0 + 0.9 * 12 * HOUR);

  vi.setSystemTime(t0 + 11 * HOUR);
  await vi.advanceTimersByTimeAsync(61_000);
  await vi.waitFor(async () => expect(await clouds.runs('aws')).toHaveLength(1), { timeout: 10_000 });
  const token = clouds.tokenOf('aws', 1);
  const otherDoc = await docOf(profile, other);
  await vi.waitFor(() => expect(valueOf(getEntry(otherDoc, id)).secret).toBe(token));

  const saved = valueOf(getEntry(otherDoc, id));
  expect(saved.updatedBy).toBe(encodeBase64(profile.identity.signing));
  expect(saved.expiresAt).toBeGreaterThanOrEqual(t0 + 11 * HOUR + 12 * HOUR);
  // The refresh also records its login check (logged as 'checked'); the rotation is there too.
  expect(readActivity(otherDoc).find((item) => item.action === 'rotated')).toMatchObject({ entries: [id] });
  // The open vault is neither switched nor written.
  expect(view.currentId).toBe(open);
  expect(Y.encodeStateVector(openDoc)).toEqual(openBefore);
  expect(readActivity(openDoc)).toEqual([]);
  // The login check ran and its verdict went into the entry's own vault; Docker config got the new token.
  await vi.waitFor(() => expect(getEntry(otherDoc, id)).toMatchObject({ value: { lastCheck: {} } }));
  expect(sent.filter((s) => s.channel === 'registry:check-login')).toHaveLength(1);
  const auth = async () => ((await readConfigObject(testEnv))['auths'] as Record<string, { auth?: string }>)[ECR];
  await vi.waitFor(async () => expect(await auth()).toEqual({ auth: Buffer.from(`AWS:${token}`).toString('base64') }));
});

it('counts entries that need attention in every vault, and notifies about them with their own vault', async () => {
  const { notes, profile, view, refresh, open, other } = await twoVaults();
  const now = Date.now();
  const expired = { registry: 'open.example.com', name: 'Old', username: 'u', secret: 's', expiresAt: now - DAY };
  valueOf(view.add(expired));
  const teamExpired = {
    registry: 'team.example.com',
    name: 'Team old',
    username: 'u',
    secret: 's',
    expiresAt: now - DAY,
  };
  const teamId = await addTo(profile, other, teamExpired);
  await addTo(profile, other, {
    registry: 'quay.io',
    name: 'Robot',
    username: 'acme+ci',
    secret: 'q',
    rotateEveryDays: 1,
  });

  start(refresh);
  await vi.waitFor(() => expect(notes.calls().badges.at(-1)).toBe(2));
  // A day later the other vault's rotation is due as well.
  vi.setSystemTime(now + 2 * DAY);
  await vi.advanceTimersByTimeAsync(61_000);
  await vi.waitFor(() => expect(notes.calls().badges.at(-1)).toBe(3));
  const shown = notes.calls().notifications.map((n) => n.title);
  expect([...shown].sort()).toEqual(['Expired: Old', 'Expired: Team old', 'Rotation due: Robot']);
  expect(notes.targetOf(shown.indexOf('Expired: Team old'))).toEqual({ vaultId: other, entryId: teamId });
  expect(view.currentId).toBe(open);
});

it('never runs a command for an entry of another vault that a teammate gave the same id', async () => {
  const { clouds, profile, view, refresh, open, other } = await twoVaults();
  const t0 = Date.now();
  const id = valueOf(view.add({ registry: ECR, name: 'ECR mine', secret: 'first-token', presetId: 'ecr' })).id;
  valueOf(await refresh.commands.set(open, id, { argv: AWS_ARGV, approvedArgv: AWS_ARGV, lifetimeMs: 12 * HOUR }));
  // A teammate's crafted edit of the Team vault: an entry under the same id, already expired, on their host.
  const teamDoc = await docOf(profile, other);
  const remote = new Y.Doc();
  Y.applyUpdate(remote, Y.encodeStateAsUpdate(teamDoc));
  const before = Y.encodeStateVector(remote);
  const crafted = { registry: 'attacker.example.com', name: 'Bait', username: 'u', secret: 'bait', expiresAt: t0 - 1 };
  valueOf(addEntry(remote, crafted, { now: () => t0 - HOUR, newId: () => id, actor: 'attacker' }));
  Y.applyUpdate(teamDoc, Y.encodeStateAsUpdate(remote, before), 'remote');

  start(refresh);
  await vi.waitFor(() => expect(refresh.vaults.all.flatMap((v) => v.entries.map((e) => e.id))).toEqual([id, id]));
  const bait = valueOf(getEntry(teamDoc, id));
  expect(refresh.refresher.dueAt(bait, other)).toBeUndefined();
  await vi.advanceTimersByTimeAsync(61_000);
  expect(await clouds.runs('aws')).toEqual([]);

  // At its own time, the allowed command refreshes this device's entry only: the token never reaches the bait.
  vi.setSystemTime(t0 + 11 * HOUR);
  await vi.advanceTimersByTimeAsync(61_000);
  await vi.waitFor(() => expect(view.byId(id)?.secret).toBe(clouds.tokenOf('aws', 1)));
  expect(await clouds.runs('aws')).toHaveLength(1);
  expect(valueOf(getEntry(teamDoc, id))).toMatchObject({ secret: 'bait', registry: 'attacker.example.com' });
});

it('follows vaults that arrive and go while unlocked', async () => {
  const { notes, profile, view, refresh } = await twoVaults();
  start(refresh);
  await vi.waitFor(() => expect(refresh.vaults.all).toHaveLength(2));
  expect(notes.calls().badges).toEqual([0]);
  // A vault that arrives later (created, or received from a teammate), not opened on screen.
  const later = valueOf(await profile.createVault('Linked')).id;
  const old = { registry: 'linked.example.com', name: 'Linked old', username: 'u', secret: 's', expiresAt: 1 };
  await addTo(profile, later, old);
  await view.refreshVaults();
  await vi.waitFor(() => expect(notes.calls().badges.at(-1)).toBe(1));
  expect(notes.calls().notifications.map((n) => n.title)).toEqual(['Expired: Linked old']);
  valueOf(await view.deleteVault(later));
  await vi.waitFor(() => expect(notes.calls().badges.at(-1)).toBe(0));
  expect(refresh.vaults.all).toHaveLength(2);
});
