/**
 * Reading a Yjs update against a document without applying it: find the struct behind an id (in the
 * document, else among the update's own), and where an item sits (its root map, the item holding its
 * parent, its key). Used by the judge of members' changes (update-judge.ts).
 */
import * as Y from 'yjs';

/** A struct of a decoded update or of a document's store. */
export type Struct = Y.Item | Y.GC | Y.Skip;

/** Where an item sits: its root's name (null when nested), the item holding its parent type, and its key. */
export type Placement = Readonly<{ root: string | null; parent: Y.Item | null; key: string | null; collected?: true }>;

/** Finds the struct holding `client`/`clock`: in the document, else among the update's own structs. */
export type Lookup = (client: number, clock: number) => Struct | undefined;

// Inside content already deleted and collected (an edit racing a deletion): invisible, so harmless.
const collected: Placement = { root: null, parent: null, key: null, collected: true };

/** A lookup over the document's store and an update's structs. */
export function createLookup(doc: Y.Doc, structs: readonly Struct[]): Lookup {
  const fresh = new Map<number, Struct[]>();
  for (const struct of structs) {
    const list = fresh.get(struct.id.client) ?? [];
    list.push(struct);
    fresh.set(struct.id.client, list);
  }
  return (client, clock) => {
    const held = doc.store.clients.get(client);
    if (held && clock < Y.getState(doc.store, client)) return held[Y.findIndexSS(held, clock)];
    return fresh.get(client)?.find((s) => s.id.clock <= clock && clock < s.id.clock + s.length);
  };
}

/**
 * Where an item sits, or undefined when that depends on something neither the document nor the update
 * holds. An update leaves out the parent of an item that has an origin: it is the origin's parent.
 */
export function placementOf(item: Y.Item, lookup: Lookup): Placement | undefined {
  let current: Y.Item = item;
  for (let hops = 0; hops < 10_000; hops++) {
    const parent = current.parent as unknown;
    if (parent instanceof Y.AbstractType) {
      const type = parent as Y.AbstractType<unknown>;
      return { root: type._item ? null : rootNameOf(type), parent: type._item, key: current.parentSub };
    }
    if (typeof parent === 'string') return { root: parent, parent: null, key: current.parentSub };
    if (parent instanceof Y.ID) {
      const holder = lookup(parent.client, parent.clock);
      if (holder instanceof Y.GC) return collected;
      return holder instanceof Y.Item ? { root: null, parent: holder, key: current.parentSub } : undefined;
    }
    const ref = current.origin ?? current.rightOrigin;
    const next = ref ? lookup(ref.client, ref.clock) : undefined;
    if (next instanceof Y.GC) return collected;
    if (!(next instanceof Y.Item)) return undefined;
    current = next;
  }
  return undefined;
}

/** The values an item carries (a map entry holds one; an array item may hold several). */
export function valuesOf(item: Y.Item): readonly unknown[] {
  const content = item.content as { arr?: unknown[] };
  return Array.isArray(content.arr) ? content.arr : [];
}

function rootNameOf(type: Y.AbstractType<unknown>): string | null {
  const doc = type.doc;
  if (!doc) return null;
  for (const [name, shared] of doc.share) if (shared === type) return name;
  return null;
}
