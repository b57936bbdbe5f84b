/**
 * Entry search (DESIGN.md §3): case-insensitive, every word must match somewhere in the
 * name, registry (key or display form), username, notes or pipelines. Secrets and emails are
 * never searched. The lower-cased text of each entry is built when the entry changes, so a
 * keystroke costs one `includes` per entry and word (10,000 entries: well under a frame).
 */
import { displayRegistry } from '../registry/registry-key';
import type { Entry } from './entry';

/** Entries with their precomputed lower-case search text, in the same order. */
export type SearchIndex = Readonly<{ entries: readonly Entry[]; haystacks: readonly string[] }>;

// A separator no query word can contain (words are split on whitespace), so no match spans two fields.
const FIELD_SEPARATOR = '\n';

/** The lower-case text a query is matched against: the searched fields, never the secret or email. */
export function searchTextOf(entry: Entry): string {
  return [entry.name, entry.registry, displayRegistry(entry.registry), entry.username, entry.notes, ...entry.pipelines]
    .join(FIELD_SEPARATOR)
    .toLowerCase();
}

/** Builds the search text of every entry (a live vault keeps it per entry instead: `watchEntries`). */
export function buildSearchIndex(entries: readonly Entry[]): SearchIndex {
  return { entries, haystacks: entries.map(searchTextOf) };
}

/** Splits a query into lower-case words; an empty query has none and matches everything. */
export function toSearchTerms(query: string): string[] {
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter((term) => term !== '');
}

/** The entries whose search text contains every word of the query, in index order. */
export function filterIndex(index: SearchIndex, query: string): readonly Entry[] {
  const terms = toSearchTerms(query);
  if (terms.length === 0) return index.entries;
  const found: Entry[] = [];
  index.haystacks.forEach((haystack, i) => {
    const entry = index.entries[i];
    if (entry !== undefined && terms.every((term) => haystack.includes(term))) found.push(entry);
  });
  return found;
}

/** One-off search without keeping an index (tests, small lists). */
export function searchEntries(entries: readonly Entry[], query: string): readonly Entry[] {
  return filterIndex(buildSearchIndex(entries), query);
}
