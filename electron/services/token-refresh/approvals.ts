// The refresh commands this device's user approved, owned by main: one argument vector (and the
// registry it was approved for) per vault and entry, in a 0600 JSON file inside the app's user-only
// data folder. The renderer cannot write it: an approval is added only after main's own dialog said
// yes. A damaged file counts as no approvals (each command is then approved again), never as "all".
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { argvSchema } from '../../../shared/refresh/refresh-command';

/** One approved command. */
export type Approval = Readonly<{ vaultId: string; entryId: string; argv: readonly string[]; registry?: string }>;

const fileSchema = z.strictObject({
  version: z.literal(1),
  approvals: z.array(
    z.strictObject({
      vaultId: z.string().min(1),
      entryId: z.string().min(1),
      argv: argvSchema,
      registry: z.string().min(1).optional(),
    }),
  ),
});

/** Whether two argument vectors are the same, element by element. */
export function sameArgv(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((arg, i) => arg === b[i]);
}

/** The approvals file at `file`: read, add or replace, drop. Writes are atomic (temp file + rename), one at a time. */
export function createApprovalStore(file: string) {
  let tail: Promise<unknown> = Promise.resolve();
  const load = async (): Promise<Approval[]> => {
    try {
      const parsed = fileSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
      return parsed.success ? parsed.data.approvals : [];
    } catch {
      return [];
    }
  };
  const save = async (approvals: readonly Approval[]) => {
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify({ version: 1, approvals }), { mode: 0o600 });
    await chmod(temp, 0o600);
    await rename(temp, file);
  };
  const queued = <T>(task: () => Promise<T>): Promise<T> => {
    const next = tail.then(task, task);
    tail = next.catch(() => undefined);
    return next;
  };
  const others = (all: readonly Approval[], vaultId: string, entryId: string) =>
    all.filter((a) => !(a.vaultId === vaultId && a.entryId === entryId));
  return {
    /** The entry's approved command, if any. */
    get: async (vaultId: string, entryId: string): Promise<Approval | undefined> =>
      (await load()).find((a) => a.vaultId === vaultId && a.entryId === entryId),
    /** Stores an approval (replacing the entry's previous one). */
    set: (approval: Approval): Promise<void> =>
      queued(async () => save([...others(await load(), approval.vaultId, approval.entryId), approval])),
    /** Drops the entry's approval. */
    forget: (vaultId: string, entryId: string): Promise<void> =>
      queued(async () => save(others(await load(), vaultId, entryId))),
  };
}

/** The approval store. */
export type ApprovalStore = ReturnType<typeof createApprovalStore>;
