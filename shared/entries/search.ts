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

/**
 * A search's outcome, kept so that the next keystroke can narrow it: while typing a word forward, the
 * new matches are a subset of the last ones, so only those are scanned again, not all 10,000.
 */
export type SearchResult = Readonly<{
  index: SearchIndex;
  terms: readonly string[];
  /** Positions in `index` of the matches; null when the query is empty (everything matches). */
  positions: readonly number[] | null;
  entries: readonly Entry[];
}>;

/** True when every match of `next` is surely a match of `previous`: each old word is inside a new word. */
function narrows(previous: readonly string[], next: readonly string[]): boolean {
  return previous.every((old) => next.some((term) => term.includes(old)));
}

function containsAll(haystack: string, terms: readonly string[]): boolean {
  for (const term of terms) if (!haystack.includes(term)) return false;
  return true;
}

/** Searches the index; with the previous result of the same index, scans only what the query can still match. */
export function searchIndex(index: SearchIndex, query: string, previous?: SearchResult): SearchResult {
  const terms = toSearchTerms(query);
  if (terms.length === 0) return { index, terms, positions: null, entries: index.entries };
  const from =
    previous?.index === index && previous.positions !== null && narrows(previous.terms, terms)
      ? previous.positions
      : null;
  const positions: number[] = [];
  const entries: Entry[] = [];
  const count = from === null ? index.haystacks.length : from.length;
  for (let k = 0; k < count; k += 1) {
    const i = from === null ? k : (from[k] as number);
    if (!containsAll(index.haystacks[i] as string, terms)) continue;
    positions.push(i);
    entries.push(index.entries[i] as Entry);
  }
  return { index, terms, positions, entries };
}

/** The entries whose search text contains every word of the query, in index order. */
export function filterIndex(index: SearchIndex, query: string): readonly Entry[] {
  return searchIndex(index, query).entries;
}

/** One-off search without keeping an index (tests, small lists). */
export function searchEntries(entries: readonly Entry[], query: string): readonly Entry[] {
  return filterIndex(buildSearchIndex(entries), query);
}
