/**
 * What the conflict banner offers after two offline copies of a vault were merged: for each
 * registry with several entries, and each entry with several secret versions, one choice per
 * candidate. Nothing is resolved until the user picks one.
 */
import type { Entry, EntryList } from '../../../shared/entries';
import { displayRegistry } from '../../../shared/registry';
import { formatDateTime } from './entry-display';

/** Keeping `keepId` deletes `dropIds`. */
export type EntryChoice = Readonly<{ keepId: string; dropIds: readonly string[]; label: string; detail: string }>;

/** A registry that has more than one entry. */
export type RegistryConflictView = Readonly<{ registry: string; message: string; choices: readonly EntryChoice[] }>;

/** Keeping `versionId` of entry `id` drops its other secret versions. */
export type SecretChoice = Readonly<{ id: string; versionId: string; label: string }>;

/** An entry whose secret was changed on two devices. */
export type SecretConflictView = Readonly<{ id: string; message: string; choices: readonly SecretChoice[] }>;

function entriesById(list: EntryList): ReadonlyMap<string, Entry> {
  return new Map(list.entries.map((e) => [e.id, e] as const));
}

/** The choices for every registry conflict of the list. */
export function registryConflictViews(list: EntryList): readonly RegistryConflictView[] {
  if (list.conflicts.length === 0) return []; // the usual case: no lookup table of every entry per change
  const byId = entriesById(list);
  return list.conflicts.map((conflict) => {
    const entries = conflict.ids.map((id) => byId.get(id)).filter((e): e is Entry => e !== undefined);
    const registry = displayRegistry(conflict.registry);
    return {
      registry,
      message: `${registry} has ${entries.length} entries from different copies of this vault. Keep one; the others are deleted.`,
      choices: entries.map((entry) => ({
        keepId: entry.id,
        dropIds: conflict.ids.filter((id) => id !== entry.id),
        label: `Keep “${entry.name}” (${entry.username})`,
        detail: `Changed ${formatDateTime(entry.updatedAt)} by ${entry.updatedBy}`,
      })),
    };
  });
}

/** The choices for every entry with more than one secret version. */
export function secretConflictViews(list: EntryList): readonly SecretConflictView[] {
  if (list.secretConflicts.length === 0) return [];
  const byId = entriesById(list);
  return list.secretConflicts.map((conflict) => {
    const name = byId.get(conflict.id)?.name ?? 'An entry';
    return {
      id: conflict.id,
      message: `The password of “${name}” was changed on ${conflict.versions.length} devices while they were offline. Keep one; pipelines use only one.`,
      choices: conflict.versions.map((version) => ({
        id: conflict.id,
        versionId: version.versionId,
        label: `Keep the password set ${formatDateTime(version.at)} by ${version.by}`,
      })),
    };
  });
}

/** The report of entries that could not be read, or null when there are none. */
export function describeDamaged(list: EntryList): string | null {
  const count = list.damaged.length;
  if (count === 0) return null;
  const what =
    count === 1
      ? '1 entry in this vault could not be read and is'
      : `${count} entries in this vault could not be read and are`;
  return `${what} not shown. They are kept unchanged: a newer version of Regvault may have written them, or their data is damaged.`;
}
