import * as Y from 'yjs';
import { wipeBytes, type RandomBytes } from '../../../../shared/crypto/bytes';
import { damagedError, VaultError } from '../../../../shared/crypto/errors';
import { openRecord, sealRecord, type RecordBinding } from '../../../../shared/crypto/seal';
import { createClientIdentity, type ClientIdentity } from '../../../../shared/sync/client-ids';
import { logRange, type RegvaultDb, type SnapshotRow, type UpdateRow } from './db';
import { toProblem, type StoreProblem } from './problems';

/** Compaction folds the log into a snapshot after this many updates unless told otherwise. */
export const DEFAULT_COMPACT_EVERY = 300;

/** What an open vault needs from its session. */
export type OpenVaultContext = Readonly<{
  db: RegvaultDb;
  vaultId: string;
  epoch: number;
  /** The vault key; the open vault keeps its own copy and wipes it on close. */
  vaultKey: Uint8Array;
  random: RandomBytes;
  compactEvery: number;
  report: (problem: StoreProblem) => void;
  /** Called after damaged records were discarded by `compact({ discardDamaged: true })`. */
  repaired: () => void;
  /** This device's signing key: the document is written under client ids derived from it. */
  deviceKey: Uint8Array;
  /**
   * Runs on the document just before each compaction seals it (e.g. cutting secret histories to the profile's
   * limit): its changes are logged and covered by the snapshot, and what it dropped is not in the snapshot.
   */
  beforeCompact?: (doc: Y.Doc) => void;
}>;

type LogBinding = Extract<RecordBinding, { kind: 'vault-update' | 'vault-snapshot' }>;

/**
 * A vault's Yjs document, loaded from its sealed snapshot and log. Every local update is sealed at once and
 * appended to the log in order; every `compactEvery` updates the log is folded into a new sealed snapshot in
 * one transaction. Records that fail their integrity check are skipped and listed in `problems`; while any
 * exist, compaction is held back so the damaged records are not deleted with the log (see `compact`).
 */
export class OpenVault {
  /** The vault's document: `entries` is a Y.Map of entry id → Y.Map of fields. */
  readonly doc = new Y.Doc();
  private readonly key: Uint8Array;
  private readonly found: StoreProblem[] = [];
  private nextSeq = 1;
  private sinceSnapshot = 0;
  private writes: Promise<void> = Promise.resolve();
  private writeError: VaultError | null = null;
  private closed = false;
  private readonly onUpdate = (update: Uint8Array) => this.append(update);
  /** The Yjs client ids this device writes the document under (set before any local edit). */
  clients!: ClientIdentity;

  private constructor(private readonly ctx: OpenVaultContext) {
    this.key = ctx.vaultKey.slice();
  }

  /** Loads a vault's document from IndexedDB and starts recording its updates. */
  static async load(ctx: OpenVaultContext): Promise<OpenVault> {
    const vault = new OpenVault(ctx);
    const [snapshot, rows] = await ctx.db.transaction('r', ctx.db.snapshots, ctx.db.updates, async () => {
      const snap = await ctx.db.snapshots.get(ctx.vaultId);
      return [snap, await logRange(ctx.db, ctx.vaultId, (snap?.seq ?? 0) + 1).toArray()] as const;
    });
    vault.replay(snapshot, rows);
    await vault.claimClientId();
    vault.doc.on('update', vault.onUpdate);
    return vault;
  }

  // A fresh generation per opening (like Yjs' random client id, but one every peer knows is this device's),
  // recorded before the first local edit can use it.
  private async claimClientId(): Promise<void> {
    const { db, vaultId, deviceKey, random } = this.ctx;
    const known = (await db.clientIds.get(vaultId))?.generations ?? [];
    let recorded: Promise<unknown> = Promise.resolve();
    const record = (generations: readonly number[]) => {
      recorded = db.clientIds.put({ vaultId, generations: [...generations] });
      this.enqueue(() => recorded.then(() => undefined));
    };
    this.clients = createClientIdentity(this.doc, vaultId, deviceKey, random, known, record);
    await recorded;
  }

  /** The vault's id. */
  get id(): string {
    return this.ctx.vaultId;
  }

  /** What could not be loaded or saved in this vault. */
  get problems(): readonly StoreProblem[] {
    return [...this.found];
  }

  /** The entries map of the document. */
  get entries(): Y.Map<Y.Map<unknown>> {
    return this.doc.getMap('entries');
  }

  /**
   * True when changes were read but cannot be shown yet because they build on a damaged or missing record
   * (Yjs keeps them pending). They are kept, and show up if the missing record is recovered (e.g. by sync).
   */
  get hasHeldChanges(): boolean {
    return this.doc.store.pendingStructs !== null || this.doc.store.pendingDs !== null;
  }

  /** Number of log rows written since the last snapshot. */
  get pendingLogLength(): number {
    return this.sinceSnapshot;
  }

  private binding(kind: LogBinding['kind'], seq: number): LogBinding {
    return { kind, vaultId: this.ctx.vaultId, epoch: this.ctx.epoch, seq };
  }

  private hasDamage(): boolean {
    return this.found.some((p) => p.code === 'damaged');
  }

  private note(problem: StoreProblem): void {
    this.found.push(problem);
    this.ctx.report(problem);
  }

  private replay(snapshot: SnapshotRow | undefined, rows: readonly UpdateRow[]): void {
    let lastSeq = snapshot?.seq ?? 0;
    Y.transact(this.doc, () => {
      if (snapshot) this.applySealed(snapshot.sealed, this.binding('vault-snapshot', snapshot.seq));
      for (const row of rows) {
        if (row.seq > lastSeq + 1) {
          // A gap: rows were removed. Named as damage to the first missing change.
          this.note(toProblem(damagedError({ what: 'vault-update', vaultId: this.id, seq: lastSeq + 1 }), this.id));
        }
        this.applySealed(row.sealed, this.binding('vault-update', row.seq));
        lastSeq = row.seq;
      }
    });
    this.nextSeq = lastSeq + 1;
    this.sinceSnapshot = rows.length;
  }

  private applySealed(sealed: Uint8Array, binding: LogBinding): void {
    try {
      Y.applyUpdate(this.doc, openRecord(sealed, this.key, binding));
    } catch (error) {
      const subject = { what: binding.kind, vaultId: binding.vaultId, seq: binding.seq } as const;
      this.note(toProblem(error instanceof VaultError ? error : damagedError(subject, error), this.id));
    }
  }

  private append(update: Uint8Array): void {
    if (this.closed) return;
    const seq = this.nextSeq++;
    const row: UpdateRow = {
      vaultId: this.id,
      seq,
      sealed: sealRecord(update, this.key, this.binding('vault-update', seq), this.ctx.random),
    };
    this.enqueue(async () => {
      await this.ctx.db.updates.add(row);
    });
    this.sinceSnapshot++;
    if (this.sinceSnapshot >= this.ctx.compactEvery && !this.hasDamage()) this.startCompaction();
  }

  private enqueue(task: () => Promise<void>): void {
    this.writes = this.writes.then(task).catch((error: unknown) => {
      const problem = toProblem(error, this.id, 'write-failed');
      this.writeError = new VaultError('write-failed', problem.message, { cause: error });
      this.note(problem);
    });
  }

  // Seals the whole document now (synchronously, so the snapshot covers exactly the updates numbered so
  // far) and queues one transaction that writes it and deletes the log rows it covers.
  private startCompaction(): void {
    this.ctx.beforeCompact?.(this.doc);
    const seq = this.nextSeq - 1;
    const row: SnapshotRow = {
      vaultId: this.id,
      seq,
      sealed: sealRecord(
        Y.encodeStateAsUpdate(this.doc),
        this.key,
        this.binding('vault-snapshot', seq),
        this.ctx.random,
      ),
    };
    this.sinceSnapshot = 0;
    const { db } = this.ctx;
    this.enqueue(() =>
      db.transaction('rw', db.snapshots, db.updates, async () => {
        await db.snapshots.put(row);
        await logRange(db, this.id, 0, seq).delete();
      }),
    );
  }

  /**
   * Folds the log into a snapshot now. Refused (returns false) while damaged records were found, unless
   * `discardDamaged` is set: then the document as it could be read replaces them for good.
   */
  async compact(options: Readonly<{ discardDamaged?: boolean }> = {}): Promise<boolean> {
    this.assertOpen();
    const repairing = this.hasDamage();
    if (repairing && options.discardDamaged !== true) return false;
    this.startCompaction();
    await this.flush();
    if (repairing) {
      this.found.splice(0, this.found.length, ...this.found.filter((p) => p.code !== 'damaged'));
      this.ctx.repaired();
    }
    return true;
  }

  /** Waits until every update so far is stored; throws `write-failed` once if any write failed. */
  async flush(): Promise<void> {
    await this.writes;
    const error = this.writeError;
    this.writeError = null;
    if (error) throw error;
  }

  /** Stops recording, destroys the document and wipes the key at once; then waits for queued (sealed) writes. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.doc.off('update', this.onUpdate);
    this.doc.destroy();
    wipeBytes(this.key);
    await this.writes;
  }

  /** True once closed (by `close` or the session's lock). */
  get isClosed(): boolean {
    return this.closed;
  }

  private assertOpen(): void {
    if (this.closed)
      throw new VaultError('locked', 'This vault was closed or the session locked. Unlock and open it again.');
  }
}
