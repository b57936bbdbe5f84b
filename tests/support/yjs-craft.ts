// Hand-built Yjs updates, as a malicious member's own client would write them: any struct on any client
// id, any origin or parent, any delete set — bytes the app's own client never produces. Encoded with
// Yjs' own v1 encoder, so peers decode them exactly as they would decode an attacker's.
import * as Y from 'yjs';

/** One hand-built struct. */
export type CraftedStruct =
  | Readonly<{ kind: 'value'; value: unknown; origin?: Y.ID; rightOrigin?: Y.ID; parent?: string | Y.ID; key?: string }>
  | Readonly<{ kind: 'map'; origin?: Y.ID; parent?: string | Y.ID; key?: string }>
  | Readonly<{ kind: 'deleted'; length: number; origin?: Y.ID; parent?: string | Y.ID; key?: string }>
  | Readonly<{ kind: 'text'; text: string; parent?: string | Y.ID; key?: string }>
  | Readonly<{ kind: 'gc'; length: number }>
  | Readonly<{ kind: 'skip'; length: number }>;

/** A run of structs on one client id from `clock` on. */
export type CraftedRun = Readonly<{ client: number; clock: number; structs: readonly CraftedStruct[] }>;

/** A delete range. */
export type CraftedDelete = Readonly<{ client: number; clock: number; length: number }>;

function itemOf(client: number, clock: number, struct: CraftedStruct): Y.Item | Y.GC | Y.Skip {
  const id = Y.createID(client, clock);
  if (struct.kind === 'gc') return new Y.GC(id, struct.length);
  if (struct.kind === 'skip') return new Y.Skip(id, struct.length);
  const content =
    struct.kind === 'value'
      ? new Y.ContentAny([struct.value])
      : struct.kind === 'map'
        ? new Y.ContentType(new Y.Map())
        : struct.kind === 'text'
          ? new Y.ContentString(struct.text)
          : new Y.ContentDeleted(struct.length);
  const origin = 'origin' in struct ? (struct.origin ?? null) : null;
  const rightOrigin = struct.kind === 'value' ? (struct.rightOrigin ?? null) : null;
  const parent = origin || rightOrigin ? null : (struct.parent ?? null);
  // Yjs' Item accepts a root name or an id as parent when it writes an update.
  return new Y.Item(id, null, origin, null, rightOrigin, parent as never, struct.key ?? null, content);
}

/** Encodes runs and deletions as one Yjs v1 update. */
export function craftUpdate(runs: readonly CraftedRun[], deletes: readonly CraftedDelete[] = []): Uint8Array {
  const encoder = new Y.UpdateEncoderV1();
  encoder.writeLen(runs.length);
  for (const run of runs) {
    encoder.writeLen(run.structs.length);
    encoder.writeClient(run.client);
    encoder.writeLen(run.clock);
    let clock = run.clock;
    for (const struct of run.structs) {
      const built = itemOf(run.client, clock, struct);
      if (built instanceof Y.Skip) {
        encoder.writeInfo(10);
        encoder.writeLen(built.length);
      } else {
        built.write(encoder, 0);
      }
      clock += built.length;
    }
  }
  const byClient = new Map<number, CraftedDelete[]>();
  for (const range of deletes) byClient.set(range.client, [...(byClient.get(range.client) ?? []), range]);
  encoder.writeLen(byClient.size);
  for (const [client, ranges] of byClient) {
    encoder.resetDsCurVal();
    encoder.writeLen(client);
    encoder.writeLen(ranges.length);
    for (const range of ranges) {
      encoder.writeDsClock(range.clock);
      encoder.writeDsLen(range.length);
    }
  }
  return encoder.toUint8Array();
}

/** The id of the current value of `key` in a map (held by `doc`). */
export function currentId(map: Y.Map<unknown>, key: string): Y.ID {
  const item = map._map.get(key);
  if (!item) throw new Error(`no value for ${key}`);
  return item.id;
}
