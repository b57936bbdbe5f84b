// Who is behind the keys of a vault, kept inside its encrypted document (the relay sees keys only).
// Root map `people`: device signing key (base64, the envelope author) → name card `{ name, person, box? }`;
// `person` is a random per-profile id, so one person's devices group under their name. A device
// writes only its own card, except that an admin writes the card of a device it adds (the invitee's
// name from its join request, or its own name for a device of its own). `box` is the device's X25519
// public key: a removal seals the next vault key to it (protocol.md §7c); the judge's card rule is what
// keeps a relay or another member from putting its own key there. Root map `vault`: `name`, written by
// admins only. Roles are never read from here: the verified member log is the authority.
import type * as Y from 'yjs';
import { z } from 'zod';
import { decodeBase64 } from '../crypto/bytes';
import type { DeviceIdentity } from '../sync/grants';
import type { Role } from '../sync/wire-records';

/** The root map of device name cards: device key → `{ name, person, … }` (checked by every peer: change-judge.ts). */
export const PEOPLE_MAP = 'people';

/** The root map of vault-wide settings written by admins (the vault's name). */
export const VAULT_MAP = 'vault';

/** Longest display name, in characters. */
export const MAX_PERSON_NAME = 200;

const cardSchema = z.object({
  name: z.string().min(1).max(MAX_PERSON_NAME),
  person: z.string().min(1).max(64),
  /** When the device was added (ms), written by the admin who added it. */
  since: z.number().int().min(0).optional(),
  /** The key of the admin device that added it. */
  addedBy: z.string().max(64).optional(),
  /** The device's X25519 public key (base64 of 32 bytes), to seal new vault keys to it. */
  box: z.string().max(64).optional(),
  /** Written by the admin who added it: the device is a pipeline or service (a headless agent). */
  service: z.literal(true).optional(),
});

/** One device's name card. */
export type PersonCard = Readonly<z.infer<typeof cardSchema>>;

/** Reads a stored name card; undefined when it is not one (peers refuse writing those). */
export function parseCard(value: unknown): PersonCard | undefined {
  const parsed = cardSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** The name cards in the document (malformed ones are left out). */
export function readPeople(doc: Y.Doc): ReadonlyMap<string, PersonCard> {
  const cards = new Map<string, PersonCard>();
  doc.getMap<unknown>(PEOPLE_MAP).forEach((value, key) => {
    const parsed = cardSchema.safeParse(value);
    if (parsed.success) cards.set(key, parsed.data);
  });
  return cards;
}

/** Writes a device's card (the caller must be that device, or an admin adding it). */
export function writeCard(doc: Y.Doc, deviceKey: string, card: PersonCard): void {
  doc.getMap<unknown>(PEOPLE_MAP).set(deviceKey, { ...card });
}

/**
 * Writes this device's own card when its name or box key changed (or its card has no box key yet), or
 * when it has none and `create` (an admin: the vault's creator, or a device of an admin's own; a device
 * an admin invited gets its card from that admin, and writing one itself could race it). Keeps the person
 * id, time and adder. Returns whether it wrote.
 */
export function ensureOwnCard(
  doc: Y.Doc,
  me: string,
  mine: Readonly<{ name: string; person: string; box?: string }>,
  now: number,
  create: boolean,
): boolean {
  const held = readPeople(doc).get(me);
  if (!held && !create) return false;
  const box = mine.box === undefined ? {} : { box: mine.box };
  if (held?.name === mine.name && (mine.box === undefined || held.box === mine.box)) return false;
  const card = held
    ? { ...held, name: mine.name, ...box }
    : { name: mine.name, person: mine.person, since: now, ...box };
  writeCard(doc, me, card);
  return true;
}

/**
 * The remaining devices a new vault key can be sealed to: each of `memberKeys` whose card holds a
 * well-formed box key (the others are left out; the engine reports them as unreached).
 */
export function recipientsOf(doc: Y.Doc, memberKeys: readonly string[]): DeviceIdentity[] {
  const people = readPeople(doc);
  const recipients: DeviceIdentity[] = [];
  for (const key of memberKeys) {
    const box = decodeKey(people.get(key)?.box);
    const signing = decodeKey(key);
    if (box && signing) recipients.push({ signing, box });
  }
  return recipients;
}

function decodeKey(text: string | undefined): Uint8Array | undefined {
  if (text === undefined) return undefined;
  try {
    const bytes = decodeBase64(text);
    return bytes.length === 32 ? bytes : undefined;
  } catch {
    return undefined;
  }
}

/** The vault's shared name, if an admin wrote one. */
export function readVaultName(doc: Y.Doc): string | undefined {
  const name = doc.getMap<unknown>(VAULT_MAP).get('name');
  return typeof name === 'string' && name.trim() !== '' ? name : undefined;
}

/** Writes the vault's shared name (admins only). */
export function writeVaultName(doc: Y.Doc, name: string): void {
  if (readVaultName(doc) !== name) doc.getMap<unknown>(VAULT_MAP).set('name', name);
}

/** One member device as the member list shows it. */
export type MemberDevice = Readonly<{ key: string; role: Role; since?: number; addedBy?: string; you: boolean }>;

/** One person: a name, the strongest role among their devices, and the devices. */
export type MemberGroup = Readonly<{
  person: string;
  name: string;
  role: Role;
  devices: readonly MemberDevice[];
  you: boolean;
  /** A pipeline or service (its admin invited it as one): shown with a Service tag. */
  service: boolean;
}>;

const rank: Readonly<Record<Role, number>> = { reader: 0, writer: 1, manager: 2, admin: 3 };

/**
 * Groups the verified members (key → role) by person, names from the cards; a key without a card is
 * its own "Unnamed device". People sorted by name, you first.
 */
export function groupMembers(
  members: readonly Readonly<{ publicKey: string; role: Role }>[],
  people: ReadonlyMap<string, PersonCard>,
  me: string,
): MemberGroup[] {
  const groups = new Map<string, { name: string; role: Role; devices: MemberDevice[]; service: boolean }>();
  for (const { publicKey, role } of members) {
    const card = people.get(publicKey);
    const person = card?.person ?? `key:${publicKey}`;
    const device: MemberDevice = {
      key: publicKey,
      role,
      you: publicKey === me,
      ...(card?.since === undefined ? {} : { since: card.since }),
      ...(card?.addedBy === undefined ? {} : { addedBy: card.addedBy }),
    };
    const group = groups.get(person) ?? { name: card?.name ?? 'Unnamed device', role, devices: [], service: false };
    if (card?.service) group.service = true;
    if (rank[role] > rank[group.role]) group.role = role;
    group.devices.push(device);
    groups.set(person, group);
  }
  return [...groups]
    .map(([person, g]) => ({ person, ...g, you: g.devices.some((d) => d.you) }))
    .sort((a, b) => Number(b.you) - Number(a.you) || a.name.localeCompare(b.name));
}
