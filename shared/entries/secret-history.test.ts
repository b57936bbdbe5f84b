import { describe, expect, test } from 'vitest';
import * as Y from 'yjs';
import { readActivity } from './activity';
import { addEntry } from './entry-create';
import { getEntryMap } from './entry-doc';
import { editEntry, getEntry } from './entry-mutations';
import { HISTORY_FIELD } from './secret-history';
import { readSecretHistory, restoreSecret, trimSecretHistory } from './secret-restore';
import { captureUpdate, createManualContext } from './test-context';
import { judgeAsMember as judgeVaultUpdate, type AuthorRights } from './test-context';

const editor: AuthorRights = { delete: false, admin: false };

function vaultWith(secret = 'first') {
  const doc = new Y.Doc();
  const ctx = createManualContext('alice');
  const added = addEntry(doc, { registry: 'ghcr.io', username: 'bot', secret }, ctx);
  if (!added.ok) throw new Error(added.error.message);
  return { doc, ctx, id: added.value.id };
}

describe('secret history', () => {
  test('each rotation keeps the replaced secret with who set it and when, newest first', () => {
    const { doc, ctx, id } = vaultWith();
    const bob = createManualContext('bob', Date.UTC(2025, 0, 2));
    expect(editEntry(doc, id, { secret: 'second' }, bob).ok).toBe(true);
    ctx.advance(86_400_000 * 2);
    expect(editEntry(doc, id, { secret: 'third' }, ctx).ok).toBe(true);
    expect(readSecretHistory(doc, id)).toEqual([
      { value: 'second', at: Date.UTC(2025, 0, 2), by: 'bob' },
      { value: 'first', at: Date.UTC(2025, 0, 1), by: 'alice' },
    ]);
    // An edit that keeps the secret adds nothing.
    editEntry(doc, id, { notes: 'n' }, ctx);
    expect(readSecretHistory(doc, id)).toHaveLength(2);
  });

  test('the history keeps the limit given; trimming cuts longer ones as one logged edit', () => {
    const { doc, id } = vaultWith('s0');
    const ctx = { ...createManualContext('alice', Date.UTC(2025, 1, 1)), historyLimit: 3 };
    for (let i = 1; i <= 5; i++) editEntry(doc, id, { secret: `s${i}` }, ctx);
    expect(readSecretHistory(doc, id).map((p) => p.value)).toEqual(['s4', 's3', 's2']);
    ctx.advance(1000);
    expect(trimSecretHistory(doc, 1, ctx)).toBe(1);
    expect(readSecretHistory(doc, id).map((p) => p.value)).toEqual(['s4']);
    expect(readActivity(doc)[0]).toMatchObject({ action: 'edited', entries: [id], by: 'alice' });
    expect(trimSecretHistory(doc, 1, ctx)).toBe(0);
    expect(trimSecretHistory(doc, 0, ctx)).toBe(1);
    expect(getEntryMap(doc, id)?.has(HISTORY_FIELD)).toBe(false);
  });

  test('"Restore this secret" is a rotation: current secret back from the history, logged in Activity', () => {
    const { doc, ctx, id } = vaultWith('one');
    editEntry(doc, id, { secret: 'two' }, ctx);
    editEntry(doc, id, { secret: 'three' }, ctx);
    editEntry(doc, id, { secret: 'four' }, ctx);
    ctx.advance(1000);
    const restored = restoreSecret(doc, id, 2, ctx);
    expect(restored.ok && restored.value.secret).toBe('one');
    expect(getEntry(doc, id).ok && readSecretHistory(doc, id)[0]?.value).toBe('four');
    expect(readActivity(doc)[0]).toMatchObject({ action: 'rotated', entries: [id] });
    expect(restoreSecret(doc, id, 99, ctx).ok).toBe(false);
  });

  test("a team vault's peers accept a rotation with history, a restore and a trim by an Editor", () => {
    const { doc, id } = vaultWith('one');
    const mine = new Y.Doc();
    Y.applyUpdate(mine, Y.encodeStateAsUpdate(doc));
    const eve = { ...createManualContext('eve', Date.UTC(2025, 3, 1)), historyLimit: 5 };
    for (const change of [
      () => editEntry(mine, id, { secret: 'two' }, eve),
      () => restoreSecret(mine, id, 0, eve),
      () => trimSecretHistory(mine, 1, eve),
    ]) {
      const update = captureUpdate(mine, change);
      expect(judgeVaultUpdate({ doc, update, author: 'eve', rights: editor })).toBeNull();
      Y.applyUpdate(doc, update);
    }
    expect(readSecretHistory(doc, id).map((p) => p.value)).toEqual(['two']);
  });

  test('a dropped secret is gone from the encoded document (what compaction stores)', () => {
    const { doc, ctx, id } = vaultWith('very-first-secret-value');
    const limited = { ...ctx, historyLimit: 1 };
    editEntry(doc, id, { secret: 'second-secret-value' }, limited);
    editEntry(doc, id, { secret: 'third-secret-value' }, limited);
    const stored = new TextDecoder('latin1').decode(Y.encodeStateAsUpdate(doc));
    expect(stored).toContain('second-secret-value'); // positive control: kept history is in the state
    expect(stored).not.toContain('very-first-secret-value');
  });
});
