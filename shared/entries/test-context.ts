/**
 * A deterministic `EntryContext` for tests in any folder: a clock that moves only when told
 * and sequential ids, so results can be asserted exactly.
 */
import * as Y from 'yjs';
import { judgeVaultChange } from './change-judge';
import type { EntryContext } from './entry';

/** An `EntryContext` whose clock is advanced by hand. */
export type ManualContext = EntryContext & Readonly<{ advance: (ms: number) => void }>;

/** Creates a manual context starting at `start` (epoch ms) whose ids are `${prefix}-1`, `${prefix}-2`, … */
export function createManualContext(actor: string, start = Date.UTC(2025, 0, 1), prefix = actor): ManualContext {
  let time = start;
  let counter = 0;
  return {
    actor,
    now: () => time,
    newId: () => `${prefix}-${++counter}`,
    advance: (ms) => {
      time += ms;
    },
  };
}

/** The one Yjs update that `change` makes to `doc` (what its author would seal and send). */
export function captureUpdate(doc: Y.Doc, change: () => void): Uint8Array {
  const updates: Uint8Array[] = [];
  const keep = (update: Uint8Array) => updates.push(update);
  doc.on('update', keep);
  try {
    change();
  } finally {
    doc.off('update', keep);
  }
  return Y.mergeUpdates(updates);
}

/** What a member may do, for `judgeAsMember`. */
export type AuthorRights = Readonly<{ delete: boolean; admin: boolean }>;

/**
 * The vault judge for tests of content rules: the author owns every client id its update writes on (the
 * ownership rule has its own tests), and its role follows `rights`.
 */
export function judgeAsMember(
  input: Readonly<{ doc: Y.Doc; update: Uint8Array; author: string; rights: AuthorRights }>,
) {
  const owned = new Set(Y.parseUpdateMeta(input.update).to.keys());
  const role = input.rights.admin ? 'admin' : input.rights.delete ? 'manager' : 'writer';
  return judgeVaultChange({ doc: input.doc, update: input.update, author: input.author, owned, role });
}
