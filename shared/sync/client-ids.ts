// Yjs client ids owned by devices (protocol v5). Every struct a Yjs update carries sits on a client id;
// a peer that let any member write on any id would let it overwrite, squat or delete what another member
// writes there (docs/protocol.md §6a). So a device writes a vault's document only under ids derived from
// its own signing key and a generation number, every envelope names the generations it uses, and every
// peer refuses an envelope with a struct on any other id — whatever kind of struct it is.
import nacl from 'tweetnacl';
import { concatBytes, encodeU32, encodeUtf8, lengthPrefixed, readU32 } from '../crypto/bytes';
import type { RandomBytes } from '../crypto/bytes';
import * as Y from 'yjs';

const clientDomain = concatBytes([encodeUtf8('regvault/v5/yjs-client'), Uint8Array.of(0)]);

/** Most generations one envelope may name (an honest one names the few sessions its edits span). */
export const MAX_GENERATIONS = 64;

/**
 * The Yjs client id of `device` in `vault` at `generation`: the first 53 bits of
 * SHA-512("regvault/v5/yjs-client\0" ‖ lp(vault) ‖ device ‖ u32 generation). 53 bits is what Yjs
 * encodes (a JavaScript safe integer); finding another device's id takes about 2⁵³ hashes.
 */
export function clientIdFor(vault: string, device: Uint8Array, generation: number): number {
  const digest = nacl.hash(
    concatBytes([clientDomain, lengthPrefixed(encodeUtf8(vault)), device, encodeU32(generation)]),
  );
  const high = readU32(digest, 0) & 0x1fffff; // 21 bits
  return high * 0x100000000 + readU32(digest, 4);
}

/** A fresh random generation (like Yjs' own random client id, but bound to the device key). */
export function randomGeneration(random: RandomBytes): number {
  return readU32(random(4), 0);
}

/** The client ids `device` owns in `vault` through `generations`. */
export function ownedClientIds(vault: string, device: Uint8Array, generations: readonly number[]): Set<number> {
  return new Set(generations.map((generation) => clientIdFor(vault, device, generation)));
}

/**
 * Which Yjs client ids a device writes a vault under: the host keeps the list of generations this
 * device used in this vault's document (so edits of an earlier session can still be sealed), and the
 * engine asks for a fresh one after a change of this device was refused or Yjs moved the doc off it.
 */
export type ClientIdentity = Readonly<{
  /** Every generation this device used in this document, the current one last. */
  generations: () => readonly number[];
  /** The client id of the current generation (what the document should be writing under). */
  current: () => number;
  /** Moves the document to a fresh generation (recorded before any edit uses it) and returns it. */
  advance: () => number;
}>;

/**
 * A `ClientIdentity` kept in memory (tests, benches, the agent): sets the document's client id now.
 * `known` are generations used before (e.g. restored with the document).
 */
export function createClientIdentity(
  doc: Y.Doc,
  vault: string,
  device: Uint8Array,
  random: RandomBytes,
  known: readonly number[] = [],
  onAdvance: (generations: readonly number[]) => void = () => undefined,
): ClientIdentity {
  const generations = [...known];
  let current = 0;
  const advance = () => {
    const held = new Set(doc.store.clients.keys());
    let generation = randomGeneration(random);
    // A generation whose id already holds items would reuse clocks: pick another.
    while (generations.includes(generation) || held.has(clientIdFor(vault, device, generation)))
      generation = randomGeneration(random);
    generations.push(generation);
    onAdvance([...generations]);
    current = clientIdFor(vault, device, generation);
    doc.clientID = current;
    return generation;
  };
  advance();
  return { generations: () => [...generations], current: () => current, advance };
}

/**
 * The generations (of `generations`) whose client ids hold structs of `update`, ascending. Structs on other
 * ids name no generation: the judge refuses them (an update of this device never holds any).
 */
export function generationsOf(
  update: Uint8Array,
  vault: string,
  device: Uint8Array,
  generations: readonly number[],
): number[] {
  const byId = new Map(generations.map((generation) => [clientIdFor(vault, device, generation), generation]));
  const used = new Set<number>();
  for (const client of Y.parseUpdateMeta(update).to.keys()) {
    const generation = byId.get(client);
    if (generation !== undefined) used.add(generation);
  }
  return [...used].sort((a, b) => a - b).slice(0, MAX_GENERATIONS);
}
