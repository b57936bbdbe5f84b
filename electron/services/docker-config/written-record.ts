import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from './atomic-write';
import type { CredentialStore } from './types';

/** Sidecar next to config.json: which registries Regvault wrote, so it never removes anyone else's. */
export const WRITTEN_RECORD_NAME = '.regvault-written.json';

const storeSchema = z.union([
  z.object({ kind: z.literal('file') }),
  z.object({ kind: z.literal('helper'), helper: z.string().min(1) }),
]);
const recordEntrySchema = z.object({ store: storeSchema, username: z.string(), writtenAt: z.string() });
const recordSchema = z.object({ version: z.literal(1), entries: z.record(z.string(), recordEntrySchema) });

/** What Regvault remembers about one registry it wrote; never the secret. */
export type WrittenEntry = Readonly<{ store: CredentialStore; username: string; writtenAt: string }>;

/** The sidecar's content, keyed by canonical registry key. */
export type WrittenRecord = Readonly<{ entries: Readonly<Record<string, WrittenEntry>> }>;

/** Path of the sidecar for a config directory. */
export function writtenRecordPath(configDir: string): string {
  return join(configDir, WRITTEN_RECORD_NAME);
}

/**
 * Reads the sidecar. A missing file is an empty record; an unreadable one is treated
 * as empty too (`readable: false`), which only ever makes Regvault remove less.
 */
export async function readWrittenRecord(
  configDir: string,
): Promise<Readonly<{ record: WrittenRecord; readable: boolean }>> {
  let text: string;
  try {
    text = await readFile(writtenRecordPath(configDir), 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    return { record: { entries: {} }, readable: missing };
  }
  try {
    const parsed = recordSchema.safeParse(JSON.parse(text));
    if (parsed.success) return { record: { entries: parsed.data.entries }, readable: true };
  } catch {
    // falls through: treated as unreadable
  }
  return { record: { entries: {} }, readable: false };
}

/** Records new writes and forgets removals; writes the sidecar atomically, 0600. */
export async function updateWrittenRecord(
  configDir: string,
  record: WrittenRecord,
  written: Readonly<Record<string, WrittenEntry>>,
  removed: readonly string[],
): Promise<void> {
  const gone = new Set(removed);
  const entries = Object.fromEntries(
    Object.entries({ ...record.entries, ...written }).filter(([registry]) => !gone.has(registry)),
  );
  await writeFileAtomic(writtenRecordPath(configDir), JSON.stringify({ version: 1, entries }, null, '\t'), 0o600);
}
