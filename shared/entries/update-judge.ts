/**
 * What a peer checks in a team member's change before applying it (issue #13): the relay sees only
 * ciphertext, so it cannot tell an edit from a deletion. Every peer decodes each verified update and
 * judges what it does against the rights its signed author had at the member-log position it names:
 *
 * - removing or replacing an entry (a key of the root `entries` map) needs the delete right;
 * - `createdBy`, `updatedBy` and a secret version's `by` must name the envelope's author;
 * - the activity items it appends (activity.ts) must say exactly what it does to each entry, by whom;
 *   nobody removes one;
 * - `people` holds each device's own name card: a device writes only its own key (admins may remove any);
 * - `vault` (the vault's name) is written by admins only;
 * - a change may delete or build on only items the vault already holds (or that it brings itself),
 *   so nothing is left pending to strike later.
 *
 * The judgement reads only the update and the items it names, which every peer holds alike (they
 * come from the same ordered log), so all peers refuse the same envelopes (protocol.md §6).
 */
import * as Y from 'yjs';
import type { JudgeRequest } from '../sync/engine-core';
import { canDelete } from '../sync/members';
import { ACTIVITY_MAP, ENTRY_ACTIONS, parseActivityItem, type EntryAction } from './activity';
import { ENTRIES_MAP, SECRETS_FIELD, getEntriesMap } from './entry-doc';
import { createLookup, placementOf, valuesOf, type Lookup, type Placement } from './update-walk';

/** The root map of device name cards: device key → `{ name, person }`. */
export const PEOPLE_MAP = 'people';

/** The root map of vault-wide settings written by admins (the vault's name). */
export const VAULT_MAP = 'vault';

/** What the author of a change may do. */
export type AuthorRights = Readonly<{ delete: boolean; admin: boolean }>;

/** A change to judge: a Yjs update, its verified author (device key, base64) and the author's rights. */
export type JudgeInput = Readonly<{ doc: Y.Doc; update: Uint8Array; author: string; rights: AuthorRights }>;

const authorFields = new Set(['createdBy', 'updatedBy']);
// Annotations, not edits of the credential (entry-flags.ts): they need no activity item.
const statusFields = new Set(['lastCheck', 'rotationRecommended']);

/** What an update does to each entry, and what its activity items say it does. */
type Judged = {
  readonly input: JudgeInput;
  readonly lookup: Lookup;
  done: Map<string, EntryAction>;
  said: Map<string, EntryAction>;
};

/** Why a change must not be applied (in words for the activity list), or null when it may be. */
export function judgeVaultUpdate(input: JudgeInput): string | null {
  const { structs, ds } = Y.decodeUpdate(input.update);
  const judged: Judged = { input, lookup: createLookup(input.doc, structs), done: new Map(), said: new Map() };
  for (const [client, ranges] of ds.clients) {
    for (const range of ranges) {
      const refusal = judgeDeletion(judged, client, range.clock, range.len);
      if (refusal) return refusal;
    }
  }
  for (const struct of structs) {
    const held = Y.getState(input.doc.store, struct.id.client);
    if (!(struct instanceof Y.Item) || struct.id.clock + struct.length <= held) continue;
    const refusal = judgeInsertion(judged, struct);
    if (refusal) return refusal;
  }
  return compareActivity(judged);
}

/** The sync engine's judge for a vault document (`SyncEngineOptions.judge`): rights follow the member-log role. */
export function judgeMemberUpdate(request: JudgeRequest): string | null {
  const rights = { delete: canDelete(request.role), admin: request.role === 'admin' };
  return judgeVaultUpdate({ doc: request.doc, update: request.update, author: request.author, rights });
}

function note(judged: Judged, id: string, action: EntryAction): void {
  const before = judged.done.get(id);
  if (before === undefined || ENTRY_ACTIONS.indexOf(action) > ENTRY_ACTIONS.indexOf(before))
    judged.done.set(id, action);
}

function judgeDeletion(judged: Judged, client: number, clock: number, len: number): string | null {
  for (let at = clock; at < clock + len;) {
    const struct = judged.lookup(client, at);
    if (!struct || struct instanceof Y.Skip) return 'deletes something this vault does not hold';
    if (struct instanceof Y.Item && !struct.deleted) {
      const refusal = judgeRemoval(judged, struct);
      if (refusal) return refusal;
    }
    at = struct.id.clock + struct.length;
  }
  return null;
}

function judgeRemoval(judged: Judged, item: Y.Item): string | null {
  const { input, lookup } = judged;
  const place = placementOf(item, lookup);
  if (!place) return 'deletes something this vault does not hold';
  if (place.root === ACTIVITY_MAP) return 'removes an activity item';
  if (place.root === ENTRIES_MAP && place.key !== null) {
    if (!input.rights.delete) return 'deletes an entry without the delete permission';
    note(judged, place.key, 'deleted');
    return null;
  }
  const entry = entryOf(place, lookup);
  if (entry && (entry.secret || (place.key !== null && !statusFields.has(place.key)))) note(judged, entry.id, 'edited');
  return judgeSharedMaps(input, place, 'removes');
}

function judgeInsertion(judged: Judged, item: Y.Item): string | null {
  const { input, lookup } = judged;
  const place = placementOf(item, lookup);
  if (!place) return 'builds on something this vault does not hold';
  if (place.collected) return null;
  if (place.root === ENTRIES_MAP) {
    if (place.key === null) return 'writes into the entry list outside an entry';
    const replaces = replacesEntry(input.doc, item, place.key);
    if (replaces && !input.rights.delete) return 'replaces an entry without the delete permission';
    note(judged, place.key, replaces ? 'deleted' : 'added');
    return null;
  }
  if (place.root === ACTIVITY_MAP) return readClaims(judged, item, place);
  const shared = judgeSharedMaps(input, place, 'writes');
  if (shared || !place.parent) return shared;
  return judgeEntryField(judged, item, place);
}

/** Overwriting an entry's key drops the entry it held: a removal in all but name. */
function replacesEntry(doc: Y.Doc, item: Y.Item, key: string): boolean {
  // Y.Map#has is true only for a key whose current item is not deleted.
  return item.origin !== null || getEntriesMap(doc).has(key);
}

function judgeSharedMaps(input: JudgeInput, place: Placement, verb: string): string | null {
  if (place.root === VAULT_MAP && !input.rights.admin) return `${verb} the vault's settings without being an admin`;
  if (place.root === PEOPLE_MAP && place.key !== input.author && !input.rights.admin) {
    return `${verb} another member's name card`;
  }
  return null;
}

/** The entry an item's placement is inside (a field of it, or a version in its secrets), if any. */
function entryOf(place: Placement, lookup: Lookup): { id: string; secret: boolean } | undefined {
  if (!place.parent) return undefined;
  const parentPlace = placementOf(place.parent, lookup);
  if (parentPlace?.root === ENTRIES_MAP && parentPlace.key !== null) return { id: parentPlace.key, secret: false };
  if (parentPlace?.key !== SECRETS_FIELD || !parentPlace.parent) return undefined;
  const entryPlace = placementOf(parentPlace.parent, lookup);
  return entryPlace?.root === ENTRIES_MAP && entryPlace.key !== null ? { id: entryPlace.key, secret: true } : undefined;
}

/** A field written inside an entry, or a secret version: it must name the envelope's own author. */
function judgeEntryField(judged: Judged, item: Y.Item, place: Placement): string | null {
  const entry = entryOf(place, judged.lookup);
  if (!entry) return null;
  const [value] = valuesOf(item);
  const author = judged.input.author;
  if (entry.secret) {
    if (byOf(value) !== author) return 'claims another member as the author of a secret';
    note(judged, entry.id, 'rotated');
  } else if (place.key !== null && !statusFields.has(place.key)) {
    if (authorFields.has(place.key) && value !== author) return `claims another member in ${place.key}`;
    note(judged, entry.id, 'edited');
  }
  return null;
}

function byOf(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? (value as { by?: unknown }).by : undefined;
}

function readClaims(judged: Judged, item: Y.Item, place: Placement): string | null {
  if (place.key === null || item.origin !== null || judged.input.doc.getMap(ACTIVITY_MAP).has(place.key)) {
    return 'rewrites the activity list';
  }
  for (const value of valuesOf(item)) {
    const claim = parseActivityItem(value);
    if (!claim) return 'appends an activity item that is not one';
    if (claim.by !== judged.input.author) return 'claims another member in the activity list';
    if (claim.action === 'member') {
      if (!judged.input.rights.admin) return 'notes a member change without being an admin';
      continue;
    }
    for (const id of claim.entries) {
      if (judged.said.has(id)) return 'lists one entry twice in the activity list';
      judged.said.set(id, claim.action);
    }
  }
  return null;
}

/**
 * The activity items must say what the update did to each entry: no change left out, none invented.
 * An edit that landed on an entry deleted meanwhile changes nothing visible; its item may stay.
 */
function compareActivity(judged: Judged): string | null {
  for (const [id, action] of judged.done) {
    const said = judged.said.get(id);
    if (said === undefined) return `${action} an entry without saying so in the activity list`;
    if (said !== action) return `says it ${said} an entry it ${action}`;
  }
  const entries = getEntriesMap(judged.input.doc);
  for (const [id, action] of judged.said) {
    if (!judged.done.has(id) && entries.has(id)) return `says it ${action} an entry it did not change`;
  }
  return null;
}
