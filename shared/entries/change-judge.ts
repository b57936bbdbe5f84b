/**
 * What a peer checks in a team member's change before applying it (protocol v5, docs/protocol.md §6).
 * The relay sees only ciphertext, so every peer reads each verified update structurally against its log
 * replica (shared/sync/change-reading.ts: owned client ids, no gaps, only map values, bounded cost) and
 * then judges what the writes and removals do against the rights its signed author had at the member-log
 * position it names:
 *
 * - adding an entry needs write; removing or replacing one (a key of `entries` that ever held a value)
 *   needs the delete right; an entry's `registry` is fixed once it exists (the product page's rule);
 * - `createdBy`, `updatedBy` and a secret version's `by` must name the envelope's author;
 * - the activity items it appends must say exactly what it does to each entry (added, edited, rotated,
 *   deleted, a login check recorded, the rotation flag changed — the strongest said of an entry counts,
 *   as a change may merge several edits), by whom, naming each entry's registry;
 *   nobody removes or rewrites one; member notes are admins' only;
 * - `people` holds each device's own name card: a device writes only its own (admins any), a well-formed
 *   card, and never takes over another person's id;
 * - `vault` (the vault's name) is written by admins only.
 *
 * It reads only the log replica and the update, which every peer holds alike, so every peer refuses the
 * same envelopes; the author runs the same function before sealing (`pending`: its own changes not yet in
 * the log), so an honest client never sends a change its peers refuse.
 */
import type * as Y from 'yjs';
import { canDelete } from '../sync/members';
import { readChange, type ChangeReading, type MapRemoval, type MapWrite } from '../sync/change-reading';
import type { JudgeRequest } from '../sync/judge';
import { PEOPLE_MAP, VAULT_MAP, parseCard } from '../team/people';
import { ACTIVITY_MAP, ENTRY_ACTIONS, parseActivityItem, type EntryAction } from './activity';
import { ENTRIES_MAP, SECRETS_FIELD } from './entry-doc';

/** The root maps of a vault document. */
export const VAULT_ROOTS: ReadonlySet<string> = new Set([ENTRIES_MAP, PEOPLE_MAP, VAULT_MAP, ACTIVITY_MAP]);

/** What the author of a change may do. */
export type AuthorRights = Readonly<{ delete: boolean; admin: boolean }>;

const authorFields = new Set(['createdBy', 'updatedBy']);
// Annotations of an entry that are not edits of the credential; each is still logged in Activity.
const annotations: Readonly<Record<string, EntryAction>> = { lastCheck: 'checked', rotationRecommended: 'flagged' };

/** What a change does to each entry, and what its activity items say it does. */
type Judged = {
  readonly doc: Y.Doc;
  readonly author: string;
  readonly rights: AuthorRights;
  readonly reading: ChangeReading;
  done: Map<string, EntryAction>;
  said: Map<string, Readonly<{ action: EntryAction; registry: string }>>;
};

/** The sync engine's judge for a vault document: rights follow the member-log role. */
export function judgeVaultChange(request: JudgeRequest): string | null {
  const reading = readChange(
    { doc: request.doc, roots: VAULT_ROOTS, pending: request.pending },
    request.update,
    request.owned,
  );
  if (typeof reading === 'string') return reading;
  const rights = { delete: canDelete(request.role), admin: request.role === 'admin' };
  const judged: Judged = {
    doc: request.doc,
    author: request.author,
    rights,
    reading,
    done: new Map(),
    said: new Map(),
  };
  // Deleting an entry deletes its fields with it (Yjs lists them too): they are part of that deletion.
  const removedEntries = new Set<string>();
  for (const { place } of reading.removals)
    if (place.root === ENTRIES_MAP && place.path.length === 1 && place.path[0] !== undefined)
      removedEntries.add(place.path[0]);
  for (const removal of reading.removals) {
    const [entry, field] = removal.place.path;
    if (removal.place.root === ENTRIES_MAP && field !== undefined && entry !== undefined && removedEntries.has(entry))
      continue;
    const refusal = judgeRemoval(judged, removal);
    if (refusal) return refusal;
  }
  for (const write of reading.writes) {
    const refusal = judgeWrite(judged, write);
    if (refusal) return refusal;
  }
  return compareActivity(judged);
}

function note(judged: Judged, id: string, action: EntryAction): void {
  const before = judged.done.get(id);
  if (before === undefined || ENTRY_ACTIONS.indexOf(action) > ENTRY_ACTIONS.indexOf(before))
    judged.done.set(id, action);
}

function judgeRemoval(judged: Judged, { place }: MapRemoval): string | null {
  const [id, field, version] = place.path;
  switch (place.root) {
    case ACTIVITY_MAP:
      return 'removes an activity item';
    case VAULT_MAP:
      return judged.rights.admin ? null : "removes the vault's settings without being an admin";
    case PEOPLE_MAP:
      return id === judged.author || judged.rights.admin ? null : "removes another member's name card";
    case ENTRIES_MAP:
      if (id === undefined) return 'removes something outside an entry';
      if (field === undefined) {
        if (!judged.rights.delete) return 'deletes an entry without the delete permission';
        note(judged, id, 'deleted');
        return null;
      }
      if (field === 'registry') return "changes an entry's registry, which is fixed once it exists";
      note(judged, id, version === undefined ? (annotations[field] ?? 'edited') : 'edited');
      return null;
    default:
      return 'removes something outside the vault';
  }
}

function judgeWrite(judged: Judged, write: MapWrite): string | null {
  const [id, field, version] = write.place.path;
  switch (write.place.root) {
    case ACTIVITY_MAP:
      return readClaim(judged, write);
    case VAULT_MAP:
      return judged.rights.admin ? null : "writes the vault's settings without being an admin";
    case PEOPLE_MAP:
      return judgeCard(judged, write, id ?? '');
    case ENTRIES_MAP:
      if (id === undefined) return 'writes outside an entry';
      if (field === undefined) return judgeEntry(judged, write, id);
      if (version !== undefined) return judgeSecretVersion(judged, write, id);
      return judgeField(judged, write, id, field);
    default:
      return 'writes outside the vault';
  }
}

function judgeEntry(judged: Judged, write: MapWrite, id: string): string | null {
  if (write.kind === 'value') return 'writes an entry that is not a map of fields';
  if (write.replaces && !judged.rights.delete) return 'replaces an entry without the delete permission';
  note(judged, id, write.replaces ? 'deleted' : 'added');
  return null;
}

function judgeField(judged: Judged, write: MapWrite, id: string, field: string): string | null {
  if (field === SECRETS_FIELD) {
    if (write.kind === 'value') return 'writes a secret that is not a map of versions';
    note(judged, id, 'rotated');
    return null;
  }
  if (write.kind === 'map') return `writes a map into the field ${field.slice(0, 40)}`;
  if (authorFields.has(field) && write.kind === 'value' && write.value !== judged.author)
    return `claims another member in ${field}`;
  if (field === 'registry' && write.replaces) return "changes an entry's registry, which is fixed once it exists";
  note(judged, id, annotations[field] ?? 'edited');
  return null;
}

function judgeSecretVersion(judged: Judged, write: MapWrite, id: string): string | null {
  if (write.kind === 'map') return 'writes a map as a secret version';
  if (write.kind === 'value' && byOf(write.value) !== judged.author)
    return 'claims another member as the author of a secret';
  note(judged, id, 'rotated');
  return null;
}

function judgeCard(judged: Judged, write: MapWrite, device: string): string | null {
  if (device !== judged.author && !judged.rights.admin) return "writes another member's name card";
  if (write.kind !== 'value') return write.kind === 'map' ? 'writes a name card that is not one' : null;
  const card = parseCard(write.value);
  if (!card) return 'writes a name card that is not one';
  if (judged.rights.admin) return null;
  // A member's own card keeps the person its admin gave it; a first card names a person nobody else is.
  let own: string | undefined;
  const others = new Set<string>();
  judged.doc.getMap<unknown>(PEOPLE_MAP).forEach((value, key) => {
    const held = parseCard(value);
    if (!held) return;
    if (key === device) own = held.person;
    else others.add(held.person);
  });
  if (own !== undefined ? card.person !== own : others.has(card.person)) return 'lists its device under another person';
  return null;
}

function byOf(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? (value as { by?: unknown }).by : undefined;
}

function readClaim(judged: Judged, write: MapWrite): string | null {
  if (write.replaces || write.kind !== 'value') return 'rewrites the activity list';
  const claim = parseActivityItem(write.value);
  if (!claim) return 'appends an activity item that is not one';
  if (claim.by !== judged.author) return 'claims another member in the activity list';
  if (claim.action === 'member') return judged.rights.admin ? null : 'notes a member change without being an admin';
  // A change that merges several edits (made offline, or while the last one was being sealed) carries an
  // item for each: what counts for an entry is the strongest thing said of it.
  for (const [index, id] of claim.entries.entries()) {
    const registry = claim.registries[index] ?? '';
    const before = judged.said.get(id);
    if (before && before.registry !== registry) return 'names the wrong registry in the activity list';
    if (!before || ENTRY_ACTIONS.indexOf(claim.action) > ENTRY_ACTIONS.indexOf(before.action))
      judged.said.set(id, { action: claim.action, registry });
  }
  return null;
}

/**
 * The activity items must say what the update did to each entry — no change left out, none invented —
 * and name each entry's real registry. An edit that landed on an entry deleted meanwhile changes nothing
 * visible; its item may stay.
 */
function compareActivity(judged: Judged): string | null {
  for (const [id, action] of judged.done) {
    const said = judged.said.get(id);
    if (said === undefined) return `${action} an entry without saying so in the activity list`;
    if (said.action !== action) return `says it ${said.action} an entry it ${action}`;
  }
  const entries = judged.doc.getMap<unknown>(ENTRIES_MAP);
  for (const [id, said] of judged.said) {
    const registry = registryOf(judged, entries, id);
    if (!judged.done.has(id) && entries.has(id)) return `says it ${said.action} an entry it did not change`;
    if (registry !== undefined && registry !== said.registry) return 'names the wrong registry in the activity list';
  }
  return null;
}

/** An entry's registry: written by this change, else held; undefined when neither knows the entry. */
function registryOf(judged: Judged, entries: Y.Map<unknown>, id: string): string | undefined {
  for (const write of judged.reading.writes) {
    const [entry, field] = write.place.path;
    if (write.place.root === ENTRIES_MAP && entry === id && field === 'registry' && typeof write.value === 'string')
      return write.value;
  }
  const removed = judged.reading.removals.find(
    (r) => r.place.root === ENTRIES_MAP && r.place.path.length === 1 && r.place.path[0] === id,
  );
  const content = removed?.item.content as { type?: unknown } | undefined;
  const held = (content?.type ?? entries.get(id)) as { get?: (key: string) => unknown } | undefined;
  const registry = typeof held?.get === 'function' ? held.get('registry') : undefined;
  return typeof registry === 'string' ? registry : undefined;
}
