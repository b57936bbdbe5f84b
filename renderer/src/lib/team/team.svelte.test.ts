import 'fake-indexeddb/auto';
import { expect, test, vi } from 'vitest';
import { readPeople, readVaultName, writeCard, writeVaultName } from '../../../../shared/team/people';
import { valueOf } from '../../../../shared/test-result';
import { relayForSuite } from '../../../../tests/integration/sync/renderer-suite';
import { teamSessions, waitLong, type Device } from '../../../../tests/integration/sync/team-sessions';
import { previewInvitation } from './join-desk.svelte';
import { describeIndicator } from '../sync/sync-status';
import { describeLeftPeople } from './removal-words';
import { encodeInvitationCode, invitationPairing } from '../../../../shared/sync/invitation';
import { createTestVault, startLinkedClients } from '../../../../tests/integration/sync/clients';
import { encodeBase64 } from '../../../../shared/crypto/bytes';
import { addEntry } from '../../../../shared/entries/entry-create';
import { editEntry, getEntry } from '../../../../shared/entries/entry-mutations';
import { readActivity } from '../../../../shared/entries/activity';
import { createManualContext } from '../../../../shared/entries/test-context';

// Three sessions of the renderer's store and SyncManager (fake IndexedDB, WebCrypto) and a real relay:
// the invitation desks, the name cards and the roles, without a browser.

const suite = relayForSuite();
const { device, join } = teamSessions(suite);

test('invitations complete once the admin confirms; names, roles, the shared name and role changes reach the members', async () => {
  const [alice, bob, carol] = await Promise.all([device('Alice'), device('Bob'), device('Carol')]);
  const vault = valueOf(await alice.session.createVault('Production'));
  valueOf(await alice.sync.configure(vault.id, { relayUrl: suite.relay().url, enabled: true }));
  await vi.waitFor(
    () => expect(alice.sync.team.rosters[vault.id]?.people.get(alice.sync.team.me)?.name).toBe('Alice'),
    waitLong,
  );

  await vi.waitFor(() => expect(describeIndicator(alice.sync.view(vault.id).indicator)).toBe('Synced'), waitLong);
  const forBob = valueOf(await alice.sync.invites.invite(vault.id, 'writer', 'Production'));
  await join(bob, forBob.code, "Alice invites you to 'Production' as Editor");
  const forCarol = valueOf(await alice.sync.invites.invite(vault.id, 'reader', 'Production'));
  await join(carol, forCarol.code, "Alice invites you to 'Production' as Viewer");
  await vi.waitFor(
    () => expect(alice.sync.invites.forVault(vault.id).map((s) => s.state)).toEqual(['added', 'added']),
    waitLong,
  );

  // The received vault has its real name; the member log gives roles, the cards give names.
  expect(valueOf(await bob.session.listVaults()).map((v) => v.name)).toContain('Production');
  await vi.waitFor(() => {
    const roster = carol.sync.team.rosters[vault.id];
    const names = [...(roster?.people.values() ?? [])].map((c) => c.name).sort();
    expect(names).toEqual(['Alice', 'Bob', 'Carol']);
    expect(roster?.members.map((m) => m.role).sort()).toEqual(['admin', 'reader', 'writer']);
  }, waitLong);
  expect(bob.sync.team.rightsIn(vault.id)).toMatchObject({ write: true, delete: false, admin: false });
  expect(carol.sync.team.rightsIn(vault.id)).toMatchObject({ write: false, delete: false });
  // The Viewer's card is the one the admin wrote from its join request: its device wrote nothing.
  const carolDoc = valueOf(await carol.session.openVault(vault.id)).doc;
  expect(readPeople(carolDoc).get(carol.sync.team.me)).toMatchObject({ name: 'Carol', addedBy: alice.sync.team.me });
  const bobDoc = valueOf(await bob.session.openVault(vault.id)).doc;
  expect(readPeople(bobDoc).get(bob.sync.team.me)).toMatchObject({ name: 'Bob', addedBy: alice.sync.team.me });
  expect(carol.sync.view(vault.id).indicator).not.toMatchObject({ kind: 'pending' });

  // The admin raises Bob to Manager; Bob's app sees the delete right.
  valueOf(await alice.sync.team.changeRole(vault.id, bob.sync.team.me, 'manager'));
  await vi.waitFor(() => expect(bob.sync.team.rightsIn(vault.id).delete).toBe(true), waitLong);

  // A rename by the admin becomes every member's local name.
  const aliceDoc = valueOf(await alice.session.openVault(vault.id)).doc;
  writeVaultName(aliceDoc, 'Production EU');
  for (const member of [bob, carol])
    await vi.waitFor(async () => {
      expect(valueOf(await member.session.listVaults()).find((v) => v.id === vault.id)?.name).toBe('Production EU');
    }, waitLong);
  expect(readVaultName(carolDoc)).toBe('Production EU');
  // Every card, name and invitee card above is what the peers' checks allow: none was refused anywhere.
  for (const member of [alice, bob, carol]) expect(member.sync.refusedIn(vault.id)).toEqual([]);
});

test('a declined invitation shows on the admin side; a code for a plain ws:// relay elsewhere is refused', async () => {
  const [alice, dave] = await Promise.all([device('Alice'), device('Dave')]);
  const vault = valueOf(await alice.session.createVault('Staging'));
  valueOf(await alice.sync.configure(vault.id, { relayUrl: suite.relay().url, enabled: true }));
  await vi.waitFor(() => expect(describeIndicator(alice.sync.view(vault.id).indicator)).toBe('Synced'), waitLong);
  const sent = valueOf(await alice.sync.invites.invite(vault.id, 'reader', 'Staging'));
  const preview = valueOf(previewInvitation(sent.code, Date.now()));
  valueOf(await dave.sync.joins.decline(preview.invitation));
  await vi.waitFor(() => expect(alice.sync.invites.forVault(vault.id)[0]?.state).toBe('declined'), waitLong);
  const remote = { ...preview.invitation, relayUrl: 'ws://relay.example.com/' };
  expect(previewInvitation(encodeInvitationCode(remote), Date.now())).toMatchObject({
    ok: false,
    error: { code: 'bad-code' },
  });
  expect(previewInvitation('rvi1-nonsense', Date.now())).toMatchObject({ ok: false, error: { code: 'bad-code' } });
});

test('someone who copied the code and grants a vault of their own through its pairing: that vault is not added', async () => {
  const [alice, bob] = await Promise.all([device('Alice'), device('Bob')]);
  const vault = valueOf(await alice.session.createVault('Production'));
  valueOf(await alice.sync.configure(vault.id, { relayUrl: suite.relay().url, enabled: true }));
  await vi.waitFor(() => expect(describeIndicator(alice.sync.view(vault.id).indicator)).toBe('Synced'), waitLong);
  const sent = valueOf(await alice.sync.invites.invite(vault.id, 'writer', 'Production'));
  const invitation = valueOf(previewInvitation(sent.code, Date.now())).invitation;
  // Mallory read the code: she knows the pairing secret and grants her own vault to Bob's keys with it.
  const mallory = await startLinkedClients({ relayUrl: suite.relay().url, vault: await createTestVault(), extra: 0 });
  suite.cleanup.push(async () => {
    for (const client of mallory) await client.stop();
  });
  const pairing = invitationPairing(invitation);
  const identity = { signing: bob.session.identity.signing, box: bob.session.identity.exchange };
  const [malloryClient] = mallory;
  if (!malloryClient) throw new Error('mallory did not start');
  valueOf(await malloryClient.client.engine.authorizeDevice({ identity, ...pairing }, 'admin'));
  const received = valueOf(
    await bob.sync.receiveInvited(invitation.relayUrl, pairing, {
      id: invitation.vaultId,
      name: 'Production',
      inviterKey: invitation.inviterKey,
    }),
  );
  expect(received.imported).toEqual([]);
  expect(valueOf(await bob.session.listVaults())).toHaveLength(0);
});

// Issue #14, the app's half: removal through the member list's actions, the flags, leaving, and an admin's
// app rotating by itself after someone left — three sessions and a real relay.
test('removing the Viewer: a new key, every entry flagged with its name; the Editor leaves and the admin rotates by itself', async () => {
  const [alice, bob, carol] = await Promise.all([device('Alice'), device('Bob', true), device('Carol')]);
  const vault = valueOf(await alice.session.createVault('Production'));
  valueOf(await alice.sync.configure(vault.id, { relayUrl: suite.relay().url, enabled: true }));
  await vi.waitFor(() => expect(describeIndicator(alice.sync.view(vault.id).indicator)).toBe('Synced'), waitLong);
  const aliceDoc = valueOf(await alice.session.openVault(vault.id)).doc;
  const aliceCtx = createManualContext(alice.sync.team.me, Date.now(), 'a');
  const ids = ['one', 'two'].map(
    (name) =>
      valueOf(addEntry(aliceDoc, { registry: `${name}.example.com`, username: 'ci', secret: `${name}-1` }, aliceCtx))
        .id,
  );
  await join(
    bob,
    valueOf(await alice.sync.invites.invite(vault.id, 'writer', 'Production')).code,
    "Alice invites you to 'Production' as Editor",
  );
  await join(
    carol,
    valueOf(await alice.sync.invites.invite(vault.id, 'reader', 'Production')).code,
    "Alice invites you to 'Production' as Viewer",
  );
  const bobDoc = valueOf(await bob.session.openVault(vault.id)).doc;
  const carolDoc = valueOf(await carol.session.openVault(vault.id)).doc;
  // Every device's card carries its box key: the admin's and the Editor's own, the Viewer's from its join request.
  await vi.waitFor(() => {
    const people = readPeople(aliceDoc);
    for (const member of [alice, bob, carol])
      expect(people.get(member.sync.team.me)?.box).toBe(encodeBase64(member.session.identity.exchange));
  }, waitLong);
  for (const doc of [bobDoc, carolDoc])
    await vi.waitFor(() => expect(getEntry(doc, ids[0] ?? '').ok).toBe(true), waitLong);

  // Alice removes Carol: one step, the key every remaining device received, every entry flagged with her name.
  const removed = valueOf(await alice.sync.removal.removePerson(vault.id, [carol.sync.team.me]));
  expect(removed).toMatchObject({ epoch: 1, flagged: 2, unreached: 0 });
  expect(removed.message).toContain('Carol removed; the vault key changed.');
  await vi.waitFor(() => {
    for (const id of ids) expect(valueOf(getEntry(bobDoc, id)).rotationRecommended?.reason).toBe('Carol had access');
  }, waitLong);
  // Carol's app is told who removed it, and may no longer write.
  await vi.waitFor(
    () => expect(carol.sync.removal.removalIn(vault.id)).toEqual({ by: alice.sync.team.me, left: false }),
    waitLong,
  );
  expect(carol.sync.team.rightsIn(vault.id).write).toBe(false);

  // Written after the removal: Bob receives it, Carol never does.
  const after = valueOf(
    addEntry(aliceDoc, { registry: 'after.example.com', username: 'ci', secret: 'after-1' }, aliceCtx),
  ).id;
  await vi.waitFor(() => expect(getEntry(bobDoc, after).ok).toBe(true), waitLong);
  await vi.waitFor(
    () => expect(describeIndicator(carol.sync.view(vault.id).indicator)).toContain('not a member'),
    waitLong,
  );
  expect(getEntry(carolDoc, after).ok).toBe(false);

  // Bob rotates one secret: its flag clears at Alice; the other stays.
  valueOf(editEntry(bobDoc, ids[0] ?? '', { secret: 'one-2' }, createManualContext(bob.sync.team.me, Date.now(), 'b')));
  await vi.waitFor(
    () => expect(valueOf(getEntry(aliceDoc, ids[0] ?? '')).rotationRecommended).toBeUndefined(),
    waitLong,
  );
  expect(valueOf(getEntry(aliceDoc, ids[1] ?? '')).rotationRecommended?.reason).toBe('Carol had access');

  // A member who could put its own box key in another member's card would receive that member's next key.
  // Bob (an Editor, with a client that skips its own judge) tries it on a card; every peer refuses the
  // change, so the cards an admin's app reads recipients from keep the real key.
  const carolCard = readPeople(bobDoc).get(carol.sync.team.me);
  if (!carolCard) throw new Error("Bob's document holds no card for Carol");
  writeCard(bobDoc, carol.sync.team.me, { ...carolCard, box: encodeBase64(bob.session.identity.exchange) });
  await vi.waitFor(() => expect(alice.sync.refusedIn(vault.id)).toHaveLength(1), waitLong);
  expect(alice.sync.refusedIn(vault.id)[0]?.reason).toMatch(/another member's name card/);
  expect(readPeople(aliceDoc).get(carol.sync.team.me)?.box).toBe(encodeBase64(carol.session.identity.exchange));

  // Bob leaves: the vault is deleted on his device, and Alice's app moves to a new key by itself.
  const forget = async (id: string) => {
    await bob.sync.forget(id);
    return bob.session.deleteVault(id);
  };
  valueOf(await bob.sync.removal.leaveVault(vault.id, 'Production', forget));
  expect(bob.sync.removal.left).toContain("You left 'Production'");
  expect(valueOf(await bob.session.listVaults())).toEqual([]);
  await vi.waitFor(() => {
    expect(alice.sync.memberEvents(vault.id).filter((e) => e.action === 'rotate')).toHaveLength(2);
    for (const id of [...ids, after])
      expect(valueOf(getEntry(aliceDoc, id)).rotationRecommended?.reason).toBe('Bob had access');
  }, waitLong);
  const said = readActivity(aliceDoc).flatMap((item) =>
    item.action === 'member' ? [alice.sync.memberEvents(vault.id)[item.record]?.action] : [],
  );
  expect(said.filter((action) => action === 'rotate')).toHaveLength(2);
  expect(alice.sync.refusedIn(vault.id)).toHaveLength(1);
});

test('someone who left shows as "left, key not changed yet" until an admin changes the key', async () => {
  const [alice, bob, carol] = await Promise.all([device('Alice'), device('Bob'), device('Carol')]);
  const vault = valueOf(await alice.session.createVault('Production'));
  const relayUrl = suite.relay().url;
  valueOf(await alice.sync.configure(vault.id, { relayUrl, enabled: true }));
  await vi.waitFor(() => expect(describeIndicator(alice.sync.view(vault.id).indicator)).toBe('Synced'), waitLong);
  for (const [member, role, label] of [
    [bob, 'writer', 'Editor'],
    [carol, 'reader', 'Viewer'],
  ] as const) {
    const { code } = valueOf(await alice.sync.invites.invite(vault.id, role, 'Production'));
    await join(member, code, `Alice invites you to 'Production' as ${label}`);
  }
  await vi.waitFor(
    () => expect(carol.sync.team.rosters[vault.id]?.people.get(bob.sync.team.me)).toBeDefined(),
    waitLong,
  );
  // The only admin is offline: nobody changes the key when Bob leaves.
  valueOf(await alice.sync.configure(vault.id, { relayUrl, enabled: false }));
  const forget = async (id: string) => {
    await bob.sync.forget(id);
    return bob.session.deleteVault(id);
  };
  valueOf(await bob.sync.removal.leaveVault(vault.id, 'Production', forget));
  await vi.waitFor(() => expect(carol.sync.team.rosters[vault.id]?.left).toEqual([bob.sync.team.me]), waitLong);
  const roster = carol.sync.team.rosters[vault.id];
  expect(roster && describeLeftPeople(roster.left, roster.people)).toEqual(['Bob: left, key not changed yet']);
  expect(roster?.members.map((m) => m.publicKey)).not.toContain(bob.sync.team.me);
  // The admin back online: her app changes the key by itself, and the line goes.
  valueOf(await alice.sync.configure(vault.id, { relayUrl, enabled: true }));
  await vi.waitFor(() => expect(carol.sync.team.rosters[vault.id]?.left).toEqual([]), waitLong);
  expect(alice.sync.memberEvents(vault.id).filter((e) => e.action === 'rotate')).toHaveLength(1);
});

test("an admin's own linked device carries its box key, and the admin removes it alone (a lost laptop)", async () => {
  const [alice, laptop] = await Promise.all([device('Alice'), device('Alice')]);
  const vault = valueOf(await alice.session.createVault('Personal'));
  valueOf(await alice.sync.configure(vault.id, { relayUrl: suite.relay().url, enabled: true }));
  await vi.waitFor(() => expect(describeIndicator(alice.sync.view(vault.id).indicator)).toBe('Synced'), waitLong);
  valueOf(await alice.sync.link(vault.id, laptop.sync.startPairing().code));
  expect(valueOf(await laptop.sync.receive(suite.relay().url)).imported).toHaveLength(1);
  const aliceDoc = valueOf(await alice.session.openVault(vault.id)).doc;
  // The card the admin wrote from the pairing code holds the laptop's box key.
  expect(readPeople(aliceDoc).get(laptop.sync.team.me)?.box).toBe(encodeBase64(laptop.session.identity.exchange));
  await vi.waitFor(() => expect(describeIndicator(laptop.sync.view(vault.id).indicator)).toBe('Synced'), waitLong);
  const removed = valueOf(await alice.sync.removal.removeDevice(vault.id, laptop.sync.team.me));
  expect(removed).toMatchObject({ epoch: 1, unreached: 0 });
  expect(alice.sync.team.rosters[vault.id]?.members.map((m) => m.publicKey)).toEqual([alice.sync.team.me]);
  await vi.waitFor(
    () => expect(laptop.sync.removal.removalIn(vault.id)).toMatchObject({ by: alice.sync.team.me }),
    waitLong,
  );
});

test('leaving as the only admin is refused with what to do; removing this device asks to leave instead', async () => {
  const [alice, bob] = await Promise.all([device('Alice'), device('Bob')]);
  const vault = valueOf(await alice.session.createVault('Staging'));
  valueOf(await alice.sync.configure(vault.id, { relayUrl: suite.relay().url, enabled: true }));
  await vi.waitFor(() => expect(describeIndicator(alice.sync.view(vault.id).indicator)).toBe('Synced'), waitLong);
  await join(
    bob,
    valueOf(await alice.sync.invites.invite(vault.id, 'writer', 'Staging')).code,
    "Alice invites you to 'Staging' as Editor",
  );
  const forget = () => Promise.resolve({ ok: true as const, value: undefined });
  expect(await alice.sync.removal.leaveVault(vault.id, 'Staging', forget)).toMatchObject({
    ok: false,
    error: { message: 'You are the only admin: make another member an admin first, then leave.' },
  });
  expect(await alice.sync.removal.removeDevice(vault.id, alice.sync.team.me)).toMatchObject({
    ok: false,
    error: { message: 'To remove this device, choose Leave vault.' },
  });
  // Offline, removing says what to do first.
  const away = valueOf(await alice.session.createVault('Away'));
  valueOf(await alice.sync.configure(away.id, { relayUrl: 'ws://127.0.0.1:9/', enabled: true }));
  await vi.waitFor(() => expect(alice.sync.team.rosters[away.id]).toBeDefined(), waitLong);
  expect(await alice.sync.removal.removePerson(away.id, [bob.sync.team.me])).toMatchObject({
    ok: false,
    error: { message: expect.stringContaining('Connect to the relay first') as unknown },
  });
  // A non-admin cannot remove anyone: the engine refuses before anything is signed.
  const refused = await bob.sync.removal.removePerson(vault.id, [alice.sync.team.me]);
  expect(refused).toMatchObject({ ok: false, error: { code: 'removal-failed' } });
  expect(alice.sync.memberEvents(vault.id).some((e) => e.action === 'remove')).toBe(false);
});

test('two admins see the same member leave: both apps rotate by themselves, the relay takes one step, entries are flagged once', async () => {
  const [alice, dave, bob] = await Promise.all([device('Alice'), device('Dave'), device('Bob')]);
  const vault = valueOf(await alice.session.createVault('Production'));
  valueOf(await alice.sync.configure(vault.id, { relayUrl: suite.relay().url, enabled: true }));
  await vi.waitFor(() => expect(describeIndicator(alice.sync.view(vault.id).indicator)).toBe('Synced'), waitLong);
  const aliceDoc = valueOf(await alice.session.openVault(vault.id)).doc;
  const ctx = createManualContext(alice.sync.team.me, Date.now(), 'a');
  const id = valueOf(addEntry(aliceDoc, { registry: 'one.example.com', username: 'ci', secret: 'one-1' }, ctx)).id;
  const invite = async (member: Device, role: 'admin' | 'writer', label: string) => {
    const code = valueOf(await alice.sync.invites.invite(vault.id, role, 'Production')).code;
    await join(member, code, `Alice invites you to 'Production' as ${label}`);
    await vi.waitFor(() => expect(describeIndicator(member.sync.view(vault.id).indicator)).toBe('Synced'), waitLong);
  };
  await invite(dave, 'admin', 'Admin');
  await invite(bob, 'writer', 'Editor');
  await vi.waitFor(() => expect(dave.sync.team.rosters[vault.id]?.members).toHaveLength(3), waitLong);

  const forget = async (vaultId: string) => {
    await bob.sync.forget(vaultId);
    return bob.session.deleteVault(vaultId);
  };
  valueOf(await bob.sync.removal.leaveVault(vault.id, 'Production', forget));
  const daveDoc = valueOf(await dave.session.openVault(vault.id)).doc;
  for (const [admin, doc] of [
    [alice, aliceDoc],
    [dave, daveDoc],
  ] as const)
    await vi.waitFor(() => {
      expect(admin.sync.memberEvents(vault.id).filter((e) => e.action === 'rotate')).toHaveLength(1);
      expect(valueOf(getEntry(doc, id)).rotationRecommended?.reason).toBe('Bob had access');
    }, waitLong);
  // One step, noted once in Activity by whichever admin's app made it; nobody refused anything.
  const notes = readActivity(aliceDoc).filter((item) => item.action === 'member');
  await vi.waitFor(
    () => expect(readActivity(daveDoc).filter((item) => item.action === 'member')).toHaveLength(notes.length),
    waitLong,
  );
  const rotations = notes.filter((item) => alice.sync.memberEvents(vault.id)[item.record]?.action === 'rotate');
  expect(rotations).toHaveLength(1);
  for (const admin of [alice, dave]) {
    expect(admin.sync.refusedIn(vault.id)).toEqual([]);
    expect(admin.sync.removal.notices[vault.id]).toBeUndefined();
  }
});
