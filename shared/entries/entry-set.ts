/**
 * The decoded vault, kept up to date one entry at a time. A vault of 10,000 entries must show a
 * remote edit within a frame, so a change decodes only the entries it touched and moves them in
 * the sorted list; `listEntries` is the same structure filled once. The search text of each entry
 * is kept beside it, so the search index never needs rebuilding either.
 */
import type * as Y from 'yjs';
import type { Entry } from './entry';
import { decodeEntry, getEntriesMap } from './entry-doc';
import type { EntryList, RegistryConflict, SecretConflict } from './entry-list';
import { searchTextOf, type SearchIndex } from './search';

/** A decoded vault and its search index, as one consistent snapshot. */
export type EntrySnapshot = Readonly<{ list: EntryList; index: SearchIndex }>;

// `sortName` is the lower-cased name, kept so sorting 10,000 entries does not lower-case on every comparison.
type Slot = Readonly<{ entry: Entry; haystack: string; sortName: string }>;

/** List order: by name (case-insensitive), then registry, then id, so every peer sorts alike. */
function compareSlots(a: Slot, b: Slot): number {
  return (
    compareText(a.sortName, b.sortName) ||
    compareText(a.entry.registry, b.entry.registry) ||
    compareText(a.entry.id, b.entry.id)
  );
}

/** Code-unit order: the same on every peer and every locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The first position in `sorted` whose entry does not sort before `slot`'s. */
function lowerBound(sorted: readonly Slot[], slot: Slot): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareSlots(sorted[middle] as Slot, slot) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The entries of one vault document, decoded, sorted and grouped; `update` takes the ids a change touched. */
export class EntrySet {
  private readonly slots = new Map<string, Slot>();
  private sorted: Slot[] = [];
  // `sorted`'s entries and search texts as their own arrays, spliced alongside it, so a snapshot after a
  // change is two array copies rather than two passes that build new arrays element by element.
  private entryOrder: Entry[] = [];
  private textOrder: string[] = [];
  private readonly damaged = new Set<string>();
  private readonly secretConflicts = new Map<string, SecretConflict>();
  private readonly byRegistry = new Map<string, Set<string>>();
  /** Registries with two entries or more, so a change does not walk every registry to find them. */
  private readonly conflicted = new Set<string>();

  constructor(private readonly entries: Y.Map<unknown>) {}

  /** Decodes every entry of the document (the first fill): one sort, not one insertion per entry. */
  fill(): void {
    if (this.slots.size > 0 || this.damaged.size > 0) return this.update(this.entries.keys());
    // forEach walks the map directly; the iterator protocol of Y.Map allocates per step.
    this.entries.forEach((value, id) => {
      const slot = this.decode(id, value);
      if (slot !== undefined) this.sorted.push(slot);
    });
    this.sorted.sort(compareSlots);
    this.entryOrder = this.sorted.map((slot) => slot.entry);
    this.textOrder = this.sorted.map((slot) => slot.haystack);
  }

  /** Re-reads the given entry ids from the document: added, changed or deleted. */
  update(ids: Iterable<string>): void {
    for (const id of ids) {
      this.remove(id);
      this.insert(id, this.entries.get(id));
    }
  }

  /** The current state as immutable values (a new array each time, so views see the change). */
  snapshot(): EntrySnapshot {
    const entries = this.entryOrder.slice();
    const list: EntryList = {
      entries,
      damaged: [...this.damaged].sort(compareText),
      conflicts: this.conflicts(),
      secretConflicts: [...this.secretConflicts.values()].sort((a, b) => compareText(a.id, b.id)),
    };
    return { list, index: { entries, haystacks: this.textOrder.slice() } };
  }

  private remove(id: string): void {
    this.damaged.delete(id);
    this.secretConflicts.delete(id);
    const slot = this.slots.get(id);
    if (slot === undefined) return;
    this.slots.delete(id);
    const at = lowerBound(this.sorted, slot);
    this.sorted.splice(at, 1);
    this.entryOrder.splice(at, 1);
    this.textOrder.splice(at, 1);
    const group = this.byRegistry.get(slot.entry.registry);
    group?.delete(id);
    if (group?.size === 0) this.byRegistry.delete(slot.entry.registry);
    if ((group?.size ?? 0) < 2) this.conflicted.delete(slot.entry.registry);
  }

  private insert(id: string, value: unknown): void {
    const slot = this.decode(id, value);
    if (slot === undefined) return;
    const at = lowerBound(this.sorted, slot);
    this.sorted.splice(at, 0, slot);
    this.entryOrder.splice(at, 0, slot.entry);
    this.textOrder.splice(at, 0, slot.haystack);
  }

  /** Decodes one entry and files it everywhere but in `sorted` (the caller places it there). */
  private decode(id: string, value: unknown): Slot | undefined {
    if (value === undefined) return undefined; // deleted
    const decoded = decodeEntry(id, value);
    if (decoded === undefined) {
      this.damaged.add(id);
      return undefined;
    }
    const { entry, versions } = decoded;
    const slot: Slot = { entry, haystack: searchTextOf(entry), sortName: entry.name.toLowerCase() };
    this.slots.set(id, slot);
    if (versions.length > 1) this.secretConflicts.set(id, { id, versions });
    const group = this.byRegistry.get(entry.registry);
    if (group === undefined) this.byRegistry.set(entry.registry, new Set([id]));
    else if (group.add(id).size === 2) this.conflicted.add(entry.registry);
    return slot;
  }

  private conflicts(): RegistryConflict[] {
    const conflicts: RegistryConflict[] = [];
    for (const registry of this.conflicted) {
      const group = this.byRegistry.get(registry);
      if (group === undefined || group.size < 2) continue;
      const entries = [...group].map((id) => (this.slots.get(id) as Slot).entry);
      entries.sort((a, b) => a.createdAt - b.createdAt || compareText(a.id, b.id));
      conflicts.push({ registry, ids: entries.map((e) => e.id) });
    }
    return conflicts.sort((a, b) => compareText(a.registry, b.registry));
  }
}

/** The entry ids a batch of deep events from the entries map touched. */
function touchedIds(events: readonly Y.YEvent<Y.AbstractType<unknown>>[], entries: Y.Map<unknown>): Set<string> {
  const ids = new Set<string>();
  for (const event of events) {
    if (event.target === entries) {
      for (const id of event.changes.keys.keys()) ids.add(id);
    } else {
      const head = event.path[0];
      if (typeof head === 'string') ids.add(head);
    }
  }
  return ids;
}

/**
 * Keeps a snapshot of the vault's entries current: calls `onChange` with the first fill, then
 * after every transaction that touched entries. Returns the function that stops watching.
 */
export function watchEntries(doc: Y.Doc, onChange: (snapshot: EntrySnapshot) => void): () => void {
  const entries = getEntriesMap(doc);
  const set = new EntrySet(entries);
  const observer = (events: Y.YEvent<Y.AbstractType<unknown>>[]) => {
    set.update(touchedIds(events, entries));
    onChange(set.snapshot());
  };
  set.fill();
  entries.observeDeep(observer);
  onChange(set.snapshot());
  return () => entries.unobserveDeep(observer);
}
