import * as Y from 'yjs';
import { expect, test } from 'vitest';
import { encodeBase64 } from '../crypto/bytes';
import {
  ensureOwnCard,
  groupMembers,
  PEOPLE_MAP,
  readPeople,
  readVaultName,
  recipientsOf,
  writeCard,
  writeVaultName,
} from './people';

test('a device writes its own card once, again only when its name changes, and keeps what the admin wrote', () => {
  const doc = new Y.Doc();
  expect(ensureOwnCard(doc, 'key-a', { name: 'Alice', person: 'p-a' }, 10, true)).toBe(true);
  expect(ensureOwnCard(doc, 'key-a', { name: 'Alice', person: 'p-a' }, 20, true)).toBe(false);
  // An invited device waits for the card its admin writes, then only renames itself.
  expect(ensureOwnCard(doc, 'key-b', { name: 'Bob', person: 'p-b' }, 25, false)).toBe(false);
  writeCard(doc, 'key-b', { name: 'Bob', person: 'p-b', since: 30, addedBy: 'key-a' });
  expect(ensureOwnCard(doc, 'key-b', { name: 'Robert', person: 'other-profile' }, 40, false)).toBe(true);
  expect(readPeople(doc).get('key-b')).toEqual({ name: 'Robert', person: 'p-b', since: 30, addedBy: 'key-a' });
  expect(readPeople(doc).get('key-a')).toEqual({ name: 'Alice', person: 'p-a', since: 10 });
});

test('malformed cards are left out; the vault name reads back and is written only when it changes', () => {
  const doc = new Y.Doc();
  doc.getMap(PEOPLE_MAP).set('bad', { name: '', person: 1 });
  expect(readPeople(doc).size).toBe(0);
  expect(readVaultName(doc)).toBeUndefined();
  let updates = 0;
  doc.on('update', () => updates++);
  writeVaultName(doc, 'Production');
  writeVaultName(doc, 'Production');
  expect(readVaultName(doc)).toBe('Production');
  expect(updates).toBe(1);
});

test('members group by person under the card name, strongest role first shown, you first', () => {
  const people = new Map([
    ['a1', { name: 'Alice', person: 'pa' }],
    ['a2', { name: 'Alice', person: 'pa' }],
    ['b1', { name: 'Bob', person: 'pb' }],
  ]);
  const groups = groupMembers(
    [
      { publicKey: 'b1', role: 'writer' },
      { publicKey: 'a1', role: 'writer' },
      { publicKey: 'a2', role: 'admin' },
      { publicKey: 'x', role: 'reader' },
    ],
    people,
    'b1',
  );
  expect(groups.map((g) => [g.name, g.role, g.devices.length, g.you])).toEqual([
    ['Bob', 'writer', 1, true],
    ['Alice', 'admin', 2, false],
    ['Unnamed device', 'reader', 1, false],
  ]);
});

test('a card carries its box key: written when missing or changed, and read back as a recipient', () => {
  const doc = new Y.Doc();
  const signing = new Uint8Array(32).fill(1);
  const box = new Uint8Array(32).fill(2);
  const me = encodeBase64(signing);
  writeCard(doc, me, { name: 'Bob', person: 'p-b', since: 5, addedBy: 'key-a' });
  // An older card without a box key gets one; the same key again writes nothing.
  expect(ensureOwnCard(doc, me, { name: 'Bob', person: 'p-b', box: encodeBase64(box) }, 10, false)).toBe(true);
  expect(ensureOwnCard(doc, me, { name: 'Bob', person: 'p-b', box: encodeBase64(box) }, 11, false)).toBe(false);
  expect(readPeople(doc).get(me)).toEqual({
    name: 'Bob',
    person: 'p-b',
    since: 5,
    addedBy: 'key-a',
    box: encodeBase64(box),
  });
  // Members without a card, without a box key or with a malformed one are left out (the engine reports them).
  const other = encodeBase64(new Uint8Array(32).fill(3));
  const bad = encodeBase64(new Uint8Array(32).fill(4));
  writeCard(doc, other, { name: 'Carol', person: 'p-c' });
  writeCard(doc, bad, { name: 'Dave', person: 'p-d', box: 'AAAA' });
  expect(recipientsOf(doc, [me, other, bad, 'no-card'])).toEqual([{ signing, box }]);
});

test('a device its admin added as a pipeline or service tags its person Service', () => {
  const people = new Map([
    ['ci', { name: 'GitHub Actions — api repo', person: 'pc', service: true as const }],
    ['b1', { name: 'Bob', person: 'pb' }],
  ]);
  const groups = groupMembers(
    [
      { publicKey: 'ci', role: 'reader' },
      { publicKey: 'b1', role: 'writer' },
    ],
    people,
    'b1',
  );
  expect(groups.map((g) => [g.name, g.service])).toEqual([
    ['Bob', false],
    ['GitHub Actions — api repo', true],
  ]);
});
