// Reads a Yjs update exactly as `Y.applyUpdate` would integrate it into a document of maps, without
// applying it (protocol v5, docs/protocol.md §6a). It refuses, by structure alone, every update whose
// effect cannot be told from its bytes the same way on every peer, and bounds the cost of everything it
// lets through. What is left is a list of map writes and removals, each with its place in the document,
// for a content judge to classify (shared/entries/change-judge.ts).
//
// Structural rules (each a refusal reason below):
// - every struct (Item, GC or Skip) is on a client id the author owns (client-ids.ts); no Skip; each
//   client's structs form one run that starts at or below what the document holds (no gap: nothing is
//   ever left pending) and an Item never straddles that point (Yjs would re-link its rest elsewhere);
// - only map values: an Item has no right origin, its content is one JSON value, one nested map or a
//   deleted run; it sits under a known root map or a map this document or update holds;
// - references resolve to what the document (or the update itself, or the author's own changes not yet
//   in the log — `base`) holds, earlier on the same client, without cycles;
// - caps, the same on every peer: structs, delete ranges and deleted structs per update, the depth of a
//   JSON value, values of one key per update, and how far Yjs would scan a key's history (≤ 64 items).
import * as Y from 'yjs';

/** Why a change is refused by structure, in words for the activity list. */
export type Refusal = string;

/** The largest number of structs, delete ranges and deleted structs one change may carry. */
export const CHANGE_CAPS = {
  structs: 100_000,
  deleteRanges: 100_000,
  deleted: 100_000,
  valuesPerKey: 1_024,
  historyScan: 64,
  valueDepth: 64,
  pathDepth: 3,
} as const;

/** Where a map value sits: its root map and the keys from the root down to its own key. */
export type Place = Readonly<{ root: string; path: readonly string[] }>;

/** A value the change writes (its first unit not yet held). */
export type MapWrite = Readonly<{
  place: Place;
  /** 'value' (one JSON value), 'map' (a nested map), 'deleted' (a run that arrives already deleted). */
  kind: 'value' | 'map' | 'deleted';
  value: unknown;
  /** The key already had a value (held, or earlier in the change): writing it replaces one. */
  replaces: boolean;
  /** The item written, to tell where later values of the same change sit. */
  item: Y.Item;
}>;

/** A held, not yet deleted value the change deletes. */
export type MapRemoval = Readonly<{ place: Place; item: Y.Item }>;

/** What a change does, read structurally. */
export type ChangeReading = Readonly<{ writes: readonly MapWrite[]; removals: readonly MapRemoval[] }>;

/** The document a change is read against: a peer's log replica, and the author's own unsequenced changes. */
export type ReadingBase = Readonly<{
  doc: Y.Doc;
  /** Root map names a change may write under (null: any name — generic documents, not vaults). */
  roots: ReadonlySet<string> | null;
  /** Earlier changes of the author not yet in the log (its own judge only), decoded; empty for peers. */
  pending?: readonly Uint8Array[];
}>;

type Struct = Y.Item | Y.GC | Y.Skip;
type Located = Readonly<{ place: Place; map: Y.Item | null }> | 'collected';

/** A decoded update's structs by client, in clock order, for binary search. */
class Layer {
  readonly byClient = new Map<number, Struct[]>();
  readonly deleted: ReturnType<typeof Y.decodeUpdate>['ds'];
  constructor(update: ReturnType<typeof Y.decodeUpdate>) {
    this.deleted = update.ds;
    for (const struct of update.structs) {
      const list = this.byClient.get(struct.id.client);
      if (list) list.push(struct);
      else this.byClient.set(struct.id.client, [struct]);
    }
  }

  find(client: number, clock: number): Struct | undefined {
    const list = this.byClient.get(client);
    if (!list) return undefined;
    let low = 0;
    let high = list.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const struct = list[mid] as Struct;
      if (clock < struct.id.clock) high = mid - 1;
      else if (clock >= struct.id.clock + struct.length) low = mid + 1;
      else return struct;
    }
    return undefined;
  }

  isDeleted(client: number, clock: number): boolean {
    const ranges = this.deleted.clients.get(client);
    if (!ranges) return false;
    let low = 0;
    let high = ranges.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const range = ranges[mid] as { clock: number; len: number };
      if (clock < range.clock) high = mid - 1;
      else if (clock >= range.clock + range.len) low = mid + 1;
      else return true;
    }
    return false;
  }
}

/** Decodes a Yjs update; null when it is not one (or nests deeper than any peer could decode). */
function decode(update: Uint8Array): ReturnType<typeof Y.decodeUpdate> | null {
  try {
    return Y.decodeUpdate(update);
  } catch {
    // Malformed bytes, or a value nested past the JavaScript stack: every peer refuses both (values
    // deeper than CHANGE_CAPS.valueDepth are refused below, so no peer accepts what another cannot read).
    return null;
  }
}

/**
 * Reads `update` by `owned` client ids against `base`: the writes and removals it makes, or why it is
 * refused. Pure and deterministic: every peer holding the same log reads the same envelope alike.
 */
export function readChange(base: ReadingBase, update: Uint8Array, owned: ReadonlySet<number>): ChangeReading | Refusal {
  const decoded = decode(update);
  if (!decoded) return 'is not a Yjs update of a vault';
  if (decoded.structs.length > CHANGE_CAPS.structs) return `carries more than ${CHANGE_CAPS.structs} structs`;
  const reader = new Reader(base, new Layer(decoded), owned);
  return reader.read(decoded.structs);
}

class Reader {
  private readonly pending: Layer[];
  private readonly located = new Map<Y.Item, Located | 'busy'>();
  private readonly writes: MapWrite[] = [];
  private readonly removals: MapRemoval[] = [];
  private readonly perKey = new Map<string, number>();
  private readonly rootOf = new Map<unknown, string>();
  private readonly fresh = new Set<Y.Item>();

  constructor(
    private readonly base: ReadingBase,
    private readonly change: Layer,
    private readonly owned: ReadonlySet<number>,
  ) {
    this.pending = (base.pending ?? []).flatMap((bytes) => {
      const layer = decode(bytes);
      return layer ? [new Layer(layer)] : [];
    });
    for (const [name, type] of base.doc.share) if (this.allowsRoot(name)) this.rootOf.set(type, name);
  }

  private allowsRoot(name: string): boolean {
    return this.base.roots === null || this.base.roots.has(name);
  }

  read(structs: readonly Struct[]): ChangeReading | Refusal {
    const shape = this.checkRuns(structs);
    if (shape) return shape;
    for (const struct of structs) {
      if (!(struct instanceof Y.Item)) continue;
      const refusal = this.readItem(struct);
      if (refusal) return refusal;
    }
    return this.readDeletions() ?? { writes: this.writes, removals: this.removals };
  }

  /** Ownership, one gap-free run per client, nothing straddling what is held. */
  private checkRuns(structs: readonly Struct[]): Refusal | null {
    const seen = new Set<number>();
    let last = -1;
    for (const struct of structs) {
      const { client } = struct.id;
      if (!this.owned.has(client)) return "writes under a Yjs client id its author's device does not own";
      if (struct instanceof Y.Skip) return 'leaves a gap in its own changes (a skip)';
      if (client !== last) {
        if (seen.has(client)) return 'lists one Yjs client twice';
        seen.add(client);
        last = client;
        if (struct.id.clock > this.heldClock(client)) return 'leaves a gap in its own changes';
      }
      const held = Y.getState(this.base.doc.store, client);
      const end = struct.id.clock + struct.length;
      if (struct.id.clock < held && held < end && struct instanceof Y.Item)
        return 'overlaps what this vault already holds';
      if (struct instanceof Y.Item && struct.id.clock >= held && !this.inPending(struct)) this.fresh.add(struct);
    }
    return null;
  }

  /**
   * How far `client` is held without a gap: by the document, then by the author's own pending changes that
   * continue it (they reach the log first).
   */
  private heldClock(client: number): number {
    let clock = Y.getState(this.base.doc.store, client);
    for (let grew = true; grew;) {
      grew = false;
      for (const layer of this.pending) {
        const list = layer.byClient.get(client);
        const head = list?.[0];
        const tail = list?.[list.length - 1];
        if (head && tail && head.id.clock <= clock && tail.id.clock + tail.length > clock) {
          clock = tail.id.clock + tail.length;
          grew = true;
        }
      }
    }
    return clock;
  }

  /** Whether one of the author's pending changes already carries this item (a change sealed again). */
  private inPending(item: Y.Item): boolean {
    return this.pending.some((layer) => layer.find(item.id.client, item.id.clock) !== undefined);
  }

  /**
   * The struct holding an id: the change's own (fresh) ones, then the document (integrated, with its
   * deletions), then the author's pending changes (a pending change may repeat what the log already holds:
   * one sealed again, so the document comes first).
   */
  private find(client: number, clock: number): Struct | undefined {
    const own = this.change.find(client, clock);
    if (own instanceof Y.Item && this.fresh.has(own)) return own;
    const structs = this.base.doc.store.clients.get(client);
    if (structs && clock < Y.getState(this.base.doc.store, client)) return structs[Y.findIndexSS(structs, clock)];
    for (let i = this.pending.length - 1; i >= 0; i--) {
      const struct = this.pending[i]?.find(client, clock);
      if (struct) return struct;
    }
    return own;
  }

  private isHeldItem(item: Y.Item): boolean {
    return !this.fresh.has(item) && item.parent instanceof Y.AbstractType;
  }

  private readItem(item: Y.Item): Refusal | null {
    if (!this.fresh.has(item)) return this.checkReferences(item);
    if (item.rightOrigin !== null) return 'inserts into a list (a vault holds only maps)';
    const kind = kindOf(item);
    if (!kind) return 'writes content a vault does not hold';
    if (kind === 'value' && !shallowEnough((item.content as Y.ContentAny).arr[0]))
      return `writes a value nested deeper than ${CHANGE_CAPS.valueDepth} levels`;
    const located = this.locate(item);
    if (typeof located === 'string' && located !== 'collected') return located;
    if (located === 'collected') return null;
    const refusal = this.checkHistory(item);
    if (refusal) return refusal;
    const key = `${located.map ? idKey(located.map.id) : located.place.root}\u0000${located.place.path.at(-1) ?? ''}`;
    const count = (this.perKey.get(key) ?? 0) + 1;
    if (count > CHANGE_CAPS.valuesPerKey) return `writes one key more than ${CHANGE_CAPS.valuesPerKey} times`;
    this.perKey.set(key, count);
    this.writes.push({
      place: located.place,
      kind,
      value: kind === 'value' ? (item.content as Y.ContentAny).arr[0] : undefined,
      replaces: item.origin !== null || count > 1 || this.keyHeld(located),
      item,
    });
    return null;
  }

  /** A held struct the change repeats: Yjs still resolves its references, which must exist. */
  private checkReferences(item: Y.Item): Refusal | null {
    for (const ref of [item.origin, item.rightOrigin, item.parent instanceof Y.ID ? item.parent : null]) {
      if (ref && !this.find(ref.client, ref.clock)) return 'builds on something this vault does not hold';
    }
    return null;
  }

  /** Where a fresh item sits, walking to its map once per item (memoized: linear in the change). */
  private locate(start: Y.Item): Located | Refusal {
    const stack: Y.Item[] = [start];
    while (stack.length > 0) {
      const item = stack[stack.length - 1] as Y.Item;
      const known = this.located.get(item);
      if (known !== undefined && known !== 'busy') {
        stack.pop();
        continue;
      }
      const dependency = this.dependencyOf(item);
      if (typeof dependency === 'string') return dependency;
      if (dependency && !this.located.has(dependency)) {
        if (stack.length > CHANGE_CAPS.structs) return 'builds a chain longer than a change may carry';
        this.located.set(item, 'busy');
        stack.push(dependency);
        continue;
      }
      if (dependency && this.located.get(dependency) === 'busy') return 'builds on itself in a cycle';
      const place = this.placeOf(item, dependency ? (this.located.get(dependency) as Located) : undefined);
      if (typeof place === 'string' && place !== 'collected') return place;
      this.located.set(item, place);
      stack.pop();
    }
    return this.located.get(start) as Located;
  }

  /** The fresh or pending item whose place decides this one's (its origin or its parent), if any. */
  private dependencyOf(item: Y.Item): Y.Item | null | Refusal {
    const ref = item.origin ?? (item.parent instanceof Y.ID ? item.parent : null);
    if (!ref) return null;
    if (ref.client === item.id.client && ref.clock >= item.id.clock)
      return 'builds on something this vault does not hold';
    const target = this.find(ref.client, ref.clock);
    if (!target) return 'builds on something this vault does not hold';
    if (!(target instanceof Y.Item) || this.isHeldItem(target)) return null;
    return target;
  }

  /** The place of an item whose dependency (if fresh or pending) was placed already. */
  private placeOf(item: Y.Item, dependency: Located | undefined): Located | Refusal {
    const origin = item.origin;
    if (origin) {
      const left = this.find(origin.client, origin.clock);
      if (!(left instanceof Y.Item)) return 'collected';
      // Yjs takes the parent and key of a value with an origin from that origin.
      return dependency ?? this.heldPlace(left, 0);
    }
    if (item.parentSub === null) return 'inserts into a list (a vault holds only maps)';
    const parent = item.parent as unknown;
    if (typeof parent === 'string') {
      if (!this.allowsRoot(parent)) return `writes a root map a vault does not have (${parent.slice(0, 40)})`;
      return { place: { root: parent, path: [item.parentSub] }, map: null };
    }
    if (!(parent instanceof Y.ID)) return 'writes a value without a place';
    const holder = this.find(parent.client, parent.clock);
    if (!(holder instanceof Y.Item) || holder.content instanceof Y.ContentDeleted) return 'collected';
    if (!(holder.content instanceof Y.ContentType) || !(holder.content.type instanceof Y.Map))
      return 'writes into something that is not a map';
    const above = dependency ?? this.heldPlace(holder, 0);
    if (above === 'collected' || typeof above === 'string') return above;
    if (above.place.path.length >= CHANGE_CAPS.pathDepth) return 'writes deeper than a vault nests maps';
    return { place: { root: above.place.root, path: [...above.place.path, item.parentSub] }, map: holder };
  }

  /** The place of an item the document holds, from its integrated parent (O(depth)). */
  private heldPlace(item: Y.Item, depth: number): Located | Refusal {
    if (depth > CHANGE_CAPS.pathDepth) return 'writes deeper than a vault nests maps';
    const parent = item.parent;
    const key = item.parentSub;
    if (!(parent instanceof Y.AbstractType) || key === null) {
      // An item of the author's own pending changes: not integrated anywhere, placed from its references.
      return this.locate(item);
    }
    const type = parent as Y.AbstractType<unknown>;
    const root = this.rootOf.get(type);
    if (root !== undefined) return { place: { root, path: [key] }, map: null };
    const holder = type._item;
    if (!holder) return 'writes a root map a vault does not have';
    if (holder.deleted) return 'collected';
    const above = this.heldPlace(holder, depth + 1);
    if (typeof above === 'string') return above;
    return { place: { root: above.place.root, path: [...above.place.path, key] }, map: holder };
  }

  /** Whether the key of a located value has a value already (held by the document or a pending change). */
  private keyHeld(located: Exclude<Located, 'collected'>): boolean {
    const key = located.place.path.at(-1);
    if (key === undefined) return false;
    const type = located.map
      ? located.map.content instanceof Y.ContentType
        ? located.map.content.type
        : null
      : this.base.doc.share.get(located.place.root);
    return type !== null && type !== undefined && (type as Y.AbstractType<unknown>)._map.has(key);
  }

  /**
   * Yjs scans a key's history when it integrates a value: from the origin to the newest value, or from
   * the oldest when there is no origin. Both are bounded here, so no change can make a peer walk far.
   */
  private checkHistory(item: Y.Item): Refusal | null {
    const origin = item.origin;
    if (origin) {
      const left = this.find(origin.client, origin.clock);
      if (!(left instanceof Y.Item) || !this.isHeldItem(left)) return null;
      let steps = 0;
      for (let next = left.right; next; next = next.right) {
        if (++steps > CHANGE_CAPS.historyScan) return 'builds on a value too far back in its history';
      }
      return null;
    }
    const parent = item.parent as unknown;
    const type =
      typeof parent === 'string'
        ? this.base.doc.share.get(parent)
        : parent instanceof Y.ID
          ? contentType(this.find(parent.client, parent.clock))
          : undefined;
    const current = item.parentSub === null ? undefined : type?._map.get(item.parentSub);
    let steps = 0;
    for (let next = current?.left; next; next = next.left) {
      if (++steps > CHANGE_CAPS.historyScan) return 'writes a key with a long history without building on it';
    }
    return null;
  }

  /** Each delete range must name what is held (or what the change itself brings); held values are listed. */
  private readDeletions(): Refusal | null {
    let ranges = 0;
    let visited = 0;
    for (const [client, list] of this.change.deleted.clients) {
      for (const { clock, len } of list) {
        if (++ranges > CHANGE_CAPS.deleteRanges) return `deletes more than ${CHANGE_CAPS.deleteRanges} ranges`;
        if (len < 1) return 'deletes an empty range';
        for (let at = clock; at < clock + len;) {
          if (++visited > CHANGE_CAPS.deleted) return `deletes more than ${CHANGE_CAPS.deleted} things at once`;
          const struct = this.find(client, at);
          if (!struct || struct instanceof Y.Skip) return 'deletes something this vault does not hold';
          if (struct instanceof Y.Item && !this.fresh.has(struct) && !this.alreadyDeleted(struct)) {
            const place = this.heldPlace(struct, 0);
            if (typeof place === 'string' && place !== 'collected') return place;
            if (place !== 'collected') this.removals.push({ place: place.place, item: struct });
          }
          at = struct.id.clock + struct.length;
        }
      }
    }
    return null;
  }

  private alreadyDeleted(item: Y.Item): boolean {
    if (item.parent instanceof Y.AbstractType) {
      if (item.deleted) return true;
    }
    return this.pending.some((layer) => layer.isDeleted(item.id.client, item.id.clock));
  }
}

function kindOf(item: Y.Item): MapWrite['kind'] | null {
  const content = item.content;
  if (content instanceof Y.ContentDeleted) return 'deleted';
  if (item.length !== 1) return null;
  if (content instanceof Y.ContentAny) return 'value';
  if (content instanceof Y.ContentType && content.type instanceof Y.Map) return 'map';
  return null;
}

function contentType(struct: Struct | undefined): Y.AbstractType<unknown> | undefined {
  return struct instanceof Y.Item && struct.content instanceof Y.ContentType ? struct.content.type : undefined;
}

function idKey(id: Y.ID): string {
  return `${id.client}:${id.clock}`;
}

/** True when a JSON value nests at most CHANGE_CAPS.valueDepth levels (checked without recursion). */
function shallowEnough(value: unknown): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [next, depth] = stack.pop() as [unknown, number];
    if (typeof next !== 'object' || next === null || next instanceof Uint8Array) continue;
    if (depth >= CHANGE_CAPS.valueDepth) return false;
    for (const child of Array.isArray(next) ? next : Object.values(next)) stack.push([child, depth + 1]);
  }
  return true;
}
