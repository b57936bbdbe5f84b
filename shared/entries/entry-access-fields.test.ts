import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { valueOf } from '../test-result';
import { addEntry } from './entry-create';
import { editEntry } from './entry-mutations';
import { createManualContext } from './test-context';
import nacl from 'tweetnacl';
import { createClientIdentity } from '../sync/client-ids';
import { judgeVaultChange } from './change-judge';

// The fields Test access and the expiry read from the token need: repositories, "pull only", and where Expires came from.
describe('entry access fields', () => {
  const base = { registry: 'registry.example.com', username: 'ci', secret: 'pass-1' };

  it('stores repositories cleaned (trimmed, no blanks or repeats) and refuses a name with the registry host', () => {
    const doc = new Y.Doc();
    const ctx = createManualContext('alice');
    const entry = valueOf(
      addEntry(doc, { ...base, repositories: [' team/api ', '', 'team/api', 'team/web:1.4'], pullOnly: true }, ctx),
    );
    expect(entry).toMatchObject({ repositories: ['team/api', 'team/web:1.4'], pullOnly: true });
    const refused = editEntry(doc, entry.id, { repositories: ['registry.example.com:5000/Team/API'] }, ctx);
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid-input', fields: [{ field: 'repositories' }] } });
    expect(valueOf(editEntry(doc, entry.id, { repositories: [], pullOnly: false }, ctx))).not.toHaveProperty(
      'repositories',
    );
  });

  it('keeps the token as the source of Expires until the user or a new secret changes it', () => {
    const doc = new Y.Doc();
    const ctx = createManualContext('alice');
    const entry = valueOf(addEntry(doc, { ...base, expiresAt: 2_000_000_000_000, expiresFrom: 'jwt' }, ctx));
    expect(entry).toMatchObject({ expiresAt: 2_000_000_000_000, expiresFrom: 'jwt' });
    expect(valueOf(editEntry(doc, entry.id, { notes: 'n' }, ctx)).expiresFrom).toBe('jwt');
    const typed = valueOf(editEntry(doc, entry.id, { expiresAt: 2_100_000_000_000 }, ctx));
    expect(typed).toMatchObject({ expiresAt: 2_100_000_000_000 });
    expect(typed.expiresFrom).toBeUndefined();
    const fromToken = valueOf(editEntry(doc, entry.id, { expiresAt: 2_200_000_000_000, expiresFrom: 'github' }, ctx));
    expect(fromToken.expiresFrom).toBe('github');
    expect(valueOf(editEntry(doc, entry.id, { secret: 'pass-2' }, ctx)).expiresFrom).toBeUndefined();
  });
});

describe('the access fields in a team vault', () => {
  it('an Editor’s edit of repositories, Pull only and a token expiry passes every peer’s judge', () => {
    const doc = new Y.Doc();
    const added = valueOf(
      addEntry(doc, { registry: 'ghcr.io', username: 'bot', secret: 's1' }, createManualContext('alice-key')),
    );
    const mine = new Y.Doc();
    const eve = nacl.randomBytes(32);
    const identity = createClientIdentity(mine, 'vault', eve, nacl.randomBytes);
    Y.applyUpdate(mine, Y.encodeStateAsUpdate(doc));
    const updates: Uint8Array[] = [];
    mine.on('update', (update: Uint8Array) => updates.push(update));
    const patch = {
      repositories: ['team/api'],
      pullOnly: true,
      expiresAt: 2_000_000_000_000,
      expiresFrom: 'jwt' as const,
    };
    valueOf(editEntry(mine, added.id, patch, createManualContext('eve-key')));
    const update = Y.mergeUpdates(updates);
    const owned = new Set([mine.clientID]);
    expect(identity.generations()).toHaveLength(1);
    expect(judgeVaultChange({ doc, update, author: 'eve-key', owned, role: 'writer' })).toBeNull();
  });
});
