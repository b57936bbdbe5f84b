// docker login (the helper's `store`) into a team vault, with three sessions on a real relay: it writes
// as this device, so every other member applies it (none refuses it as "another member in createdBy"),
// and later edits of the session still arrive; a Viewer is never offered the vault and its store is refused.
import 'fake-indexeddb/auto';
import { expect, test, vi } from 'vitest';
import { findEntriesByRegistry, getEntry } from '../../../../shared/entries';
import { valueOf } from '../../../../shared/test-result';
import { relayForSuite } from '../../../../tests/integration/sync/renderer-suite';
import { teamSessions, waitLong, type Device as SessionDevice } from '../../../../tests/integration/sync/team-sessions';
import { describeIndicator } from '../sync/sync-status';
import { DockerServing } from './docker-serving.svelte';
import { HelperActivity } from './helper-activity.svelte';
import { answerHelperQuestion } from './helper-responder';
import { describeReadOnlyStoreVault, storeVaultChoices } from './store-vault-choice';

const suite = relayForSuite();
const sessions = teamSessions(suite);

function helperOf(member: SessionDevice) {
  const serving = new DockerServing(() => member.session);
  const deps = {
    session: () => member.session,
    serving,
    activity: new HelperActivity(),
    mayWrite: (vaultId: string) => member.sync.team.rightsIn(vaultId).write,
  };
  const store = (registry: string, username: string, secret: string) =>
    answerHelperQuestion({ id: 'q', action: 'store', registry, username, secret }, deps);
  return { serving, deps, store };
}

test("docker login into a team vault reaches the other members as this device's change; a Viewer is never offered it", async () => {
  const [alice, bob, carol] = await Promise.all(['Alice', 'Bob', 'Carol'].map((n) => sessions.device(n)));
  if (!alice || !bob || !carol) throw new Error('sessions missing');
  const vault = valueOf(await alice.session.createVault('Production'));
  valueOf(await alice.sync.configure(vault.id, { relayUrl: suite.relay().url, enabled: true }));
  await vi.waitFor(() => expect(describeIndicator(alice.sync.view(vault.id).indicator)).toBe('Synced'), waitLong);
  for (const [member, role, label] of [
    [bob, 'writer', 'Editor'],
    [carol, 'reader', 'Viewer'],
  ] as const) {
    const { code } = valueOf(await alice.sync.invites.invite(vault.id, role, 'Production'));
    await sessions.join(member, code, `Alice invites you to 'Production' as ${label}`);
    await vi.waitFor(() => expect(member.sync.team.rightsIn(vault.id).admin).toBe(false), waitLong);
  }
  const aliceDoc = valueOf(await alice.session.openVault(vault.id)).doc;
  const carolDoc = valueOf(await carol.session.openVault(vault.id)).doc;

  // Bob (an Editor) is offered the vault and runs docker login into it.
  const bobHelper = helperOf(bob);
  const bobVaults = valueOf(await bob.session.listVaults());
  expect(storeVaultChoices(bobVaults, undefined, bobHelper.deps.mayWrite).offered.map((v) => v.id)).toEqual([vault.id]);
  valueOf(await bobHelper.serving.setStoreVault(vault.id));
  expect(await bobHelper.store('ghcr.io', 'bot', 'first')).toEqual({ kind: 'done' });
  const bobKey = bob.sync.team.me;
  for (const doc of [aliceDoc, carolDoc])
    await vi.waitFor(() => expect(findEntriesByRegistry(doc, 'ghcr.io')).toHaveLength(1), waitLong);
  const [id] = findEntriesByRegistry(aliceDoc, 'ghcr.io');
  expect(valueOf(getEntry(aliceDoc, id ?? ''))).toMatchObject({
    username: 'bot',
    createdBy: bobKey,
    updatedBy: bobKey,
  });
  // A second docker login in the same session arrives too (nothing of the session is parked).
  expect(await bobHelper.store('ghcr.io', 'bot', 'second')).toEqual({ kind: 'done' });
  await vi.waitFor(() => expect(valueOf(getEntry(aliceDoc, id ?? '')).secret).toBe('second'), waitLong);
  for (const member of [alice, carol]) expect(member.sync.refusedIn(vault.id)).toEqual([]);

  // Carol (a Viewer) is not offered the vault; a choice stored before is named read-only, and refused.
  const carolHelper = helperOf(carol);
  const carolVaults = valueOf(await carol.session.listVaults());
  expect(storeVaultChoices(carolVaults, undefined, carolHelper.deps.mayWrite).offered).toEqual([]);
  valueOf(await carolHelper.serving.setStoreVault(vault.id));
  expect(storeVaultChoices(carolVaults, vault.id, carolHelper.deps.mayWrite).readOnly?.id).toBe(vault.id);
  expect(await carolHelper.store('quay.io', 'viewer', 'x')).toEqual({
    kind: 'refused',
    message: describeReadOnlyStoreVault('Production'),
  });
  expect(findEntriesByRegistry(carolDoc, 'quay.io')).toEqual([]);
});
