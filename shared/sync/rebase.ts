// A change this device's judge (or its peers) refused stays in its own document only: no peer holds its
// items. Yjs builds every later write of the same key on the newest local value — one of those items — so
// without help every later edit of that field would be refused too ("builds on something this vault does
// not hold"). Before judging, a local change is rebased onto the log: a value whose origin is a local-only
// item takes that item's own origin instead (or, at the start of the key's history, its map and key), and
// deletions of local-only items are dropped. Peers then place the value after the one they hold; this
// device shows the same value. What sits inside a local-only map cannot be rebased and stays refused.
import * as Y from 'yjs';

/** This device's local-only items: from this clock on, nothing of this client id reached the log. */
export type LocalOnly = ReadonlyMap<number, number>;

const isLocalOnly = (localOnly: LocalOnly, id: Y.ID | null): id is Y.ID =>
  id !== null && localOnly.has(id.client) && id.clock >= (localOnly.get(id.client) ?? Infinity);

/** `update` rebased onto what the log holds (unchanged when it builds on nothing local-only). */
export function rebaseOntoLog(doc: Y.Doc, update: Uint8Array, localOnly: LocalOnly): Uint8Array {
  if (localOnly.size === 0) return update;
  let decoded: ReturnType<typeof Y.decodeUpdate>;
  try {
    decoded = Y.decodeUpdate(update);
  } catch {
    return update;
  }
  let changed = false;
  for (const struct of decoded.structs) {
    if (struct instanceof Y.Item && isLocalOnly(localOnly, struct.origin))
      changed = rebaseItem(doc, struct, localOnly) || changed;
  }
  const deletions = new Map<number, { clock: number; len: number }[]>();
  for (const [client, ranges] of decoded.ds.clients) {
    const from = localOnly.get(client);
    const kept: { clock: number; len: number }[] = [];
    for (const { clock, len } of ranges) {
      const end = from === undefined ? clock + len : Math.min(clock + len, from);
      if (end > clock) kept.push({ clock, len: end - clock });
      if (end !== clock + len) changed = true;
    }
    if (kept.length) deletions.set(client, kept);
  }
  return changed ? encode(decoded.structs, deletions) : update;
}

/** Moves an item's origin past local-only items; false when its place depends on one (left as it is). */
function rebaseItem(doc: Y.Doc, item: Y.Item, localOnly: LocalOnly): boolean {
  let ref: Y.ID | null = item.origin;
  let first: Y.Item | null = null;
  while (isLocalOnly(localOnly, ref)) {
    const held = getHeld(doc, ref);
    if (!held) return false;
    first = held;
    ref = held.origin;
  }
  if (ref !== null) {
    item.origin = ref;
    return true;
  }
  // The key's history starts with local-only values: the item names its map and key itself.
  const parent = first?.parent;
  if (!(parent instanceof Y.AbstractType) || first?.parentSub == null) return false;
  const holder = (parent as Y.AbstractType<unknown>)._item;
  if (holder && isLocalOnly(localOnly, holder.id)) return false;
  const root = holder ? null : rootNameOf(doc, parent as Y.AbstractType<unknown>);
  if (!holder && root === null) return false;
  item.origin = null;
  (item as { parent: unknown }).parent = holder ? holder.id : root;
  item.parentSub = first.parentSub;
  return true;
}

function getHeld(doc: Y.Doc, id: Y.ID): Y.Item | null {
  if (id.clock >= Y.getState(doc.store, id.client)) return null;
  const struct = Y.getItem(doc.store, id) as Y.Item | Y.GC;
  return struct instanceof Y.Item ? struct : null;
}

function rootNameOf(doc: Y.Doc, type: Y.AbstractType<unknown>): string | null {
  for (const [name, shared] of doc.share) if (shared === type) return name;
  return null;
}

function encode(
  structs: readonly (Y.Item | Y.GC | Y.Skip)[],
  deletions: ReadonlyMap<number, readonly { clock: number; len: number }[]>,
) {
  const encoder = new Y.UpdateEncoderV1();
  const runs: (Y.Item | Y.GC | Y.Skip)[][] = [];
  for (const struct of structs) {
    const run = runs.at(-1);
    if (run && run[0]?.id.client === struct.id.client) run.push(struct);
    else runs.push([struct]);
  }
  encoder.writeLen(runs.length);
  for (const run of runs) {
    encoder.writeLen(run.length);
    encoder.writeClient(run[0]?.id.client ?? 0);
    encoder.writeLen(run[0]?.id.clock ?? 0);
    for (const struct of run) {
      if (struct instanceof Y.Skip) {
        encoder.writeInfo(10);
        encoder.writeLen(struct.length);
      } else struct.write(encoder, 0);
    }
  }
  encoder.writeLen(deletions.size);
  for (const [client, ranges] of deletions) {
    encoder.resetDsCurVal();
    encoder.writeLen(client);
    encoder.writeLen(ranges.length);
    for (const { clock, len } of ranges) {
      encoder.writeDsClock(clock);
      encoder.writeDsLen(len);
    }
  }
  return encoder.toUint8Array();
}
