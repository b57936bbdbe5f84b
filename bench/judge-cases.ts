// The hostile changes of the judge benches (bench/judge.ts in Node, bench/judge-ui.ts in Chromium): the log of a
// team vault with 2,000 entries, and hand-built updates of about 100 KB shaped to make the judge work as hard
// as it can — refused only at the end, or by structure.
import nacl from 'tweetnacl';
import * as Y from 'yjs';
import { encodeBase64 } from '../shared/crypto/bytes';
import { addEntries } from '../shared/entries/entry-create';
import { createManualContext } from '../shared/entries/test-context';
import { clientIdFor, createClientIdentity } from '../shared/sync/client-ids';
import { craftUpdate, type CraftedStruct } from '../tests/support/yjs-craft';

/** The vault the cases are built for. */
export const VAULT = 'bench-vault';
const ENTRIES = 2_000;
const admin = nacl.randomBytes(32);
const attacker = nacl.randomBytes(32);
/** The attacker's device key (base64), an Editor of the vault. */
export const attackerKey = encodeBase64(attacker);
/** The attacker's generation the cases name. */
export const generation = 7;
const own = clientIdFor(VAULT, attacker, generation);

// The log: 2,000 entries added by the admin, then each edited once (every field has a history).
const source = new Y.Doc();
createClientIdentity(source, VAULT, admin, nacl.randomBytes);
const ctx = createManualContext(encodeBase64(admin), Date.UTC(2026, 11, 8), 'a');
addEntries(
  source,
  Array.from({ length: ENTRIES }, (_, i) => ({ registry: `r${i}.example.com`, username: 'ci', secret: `s-${i}` })),
  ctx,
);
/** The log's state: what a peer's replica holds before the hostile change. */
export const state = Y.encodeStateAsUpdate(source);

/** Entries in the log. */
export const vaultEntries = ENTRIES;

/** Grows a case until its bytes reach ~100 KB. */
function sized(make: (n: number) => Uint8Array): Uint8Array {
  let n = 256;
  let update = make(n);
  for (let tries = 0; update.length < 100_000 && tries < 8; tries++) {
    n = Math.ceil((n * 100_000) / Math.max(1, update.length)) + 16;
    update = make(n);
  }
  return update;
}

const entryItems = [...source.getMap('entries')._map.values()];
const fieldItems = entryItems.flatMap((item) => {
  const type = (item.content as Y.ContentType).type as Y.Map<unknown>;
  // The registry field is refused at once (it is fixed); every other field is judged to the end.
  return [...type._map.values()].filter((field) => field.parentSub !== 'registry');
});

/** Each hostile change by name. */
export const cases: Record<string, Uint8Array> = {
  // A chain of one-value structs, each one's origin the one before (the review's CPU bomb): refused at the cap.
  'chain of one-value structs': sized((n) =>
    craftUpdate([
      {
        client: own,
        clock: 0,
        structs: Array.from({ length: n }, (_, i): CraftedStruct =>
          i === 0
            ? { kind: 'value', value: i, parent: 'people', key: attackerKey }
            : { kind: 'value', value: i, origin: Y.createID(own, i - 1) },
        ),
      },
    ]),
  ),
  // Thousands of new entries, each placed and classified, refused only at the end (no activity items).
  'new entries, refused at the end': sized((n) =>
    craftUpdate([
      {
        client: own,
        clock: 0,
        structs: Array.from({ length: n }, (_, i): CraftedStruct => ({ kind: 'map', parent: 'entries', key: `e${i}` })),
      },
    ]),
  ),
  // Every field value of every entry deleted: each range resolved and classified, refused at the end.
  'deletions across the whole vault': sized((n) =>
    craftUpdate(
      [],
      fieldItems.slice(0, n).map((item) => ({ client: item.id.client, clock: item.id.clock, length: item.length })),
    ),
  ),
  // Values written on the newest value of many fields (origins in the document): each walks its history.
  'writes building on held values': sized((n) =>
    craftUpdate([
      {
        client: own,
        clock: 0,
        structs: fieldItems
          .slice(0, n)
          .map((item): CraftedStruct => ({ kind: 'value', value: 'x', origin: item.lastId })),
      },
    ]),
  ),
  // Structs on another member's client id: refused by ownership at the first struct.
  "structs on another member's client id": sized((n) =>
    craftUpdate([
      {
        client: source.clientID,
        clock: Y.getState(source.store, source.clientID),
        structs: Array.from({ length: n }, () => ({ kind: 'gc', length: 1 }) as const),
      },
    ]),
  ),
};
