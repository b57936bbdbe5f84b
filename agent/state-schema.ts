// What the agent state holds once opened: the device keys and, per vault, its relay, the keys it was
// given, the engine's cursor and the document (a sealed local copy: the whole file is one secretbox).
// Bytes are base64 inside; the schema checks everything read back (STYLE.md §2).
import { z } from 'zod';

const b64 = z.string().max(64 * 1024 * 1024);

/** A vault key of one epoch. */
const vaultKeySchema = z.strictObject({ epoch: z.number().int().min(0), key: b64 });

const cursorSchema = z.strictObject({
  head: z.number().int().min(0),
  counter: z.number().int().min(0),
  snapshotSeq: z.number().int().min(0),
  authors: z.record(z.string(), z.number().int().min(0)),
  members: z.array(z.unknown()),
  vector: b64.nullable(),
  keys: z.record(z.string(), b64).optional(),
});

/** One vault the agent is a member of. */
export const agentVaultSchema = z.strictObject({
  vaultId: z.string().min(1).max(64),
  vaultName: z.string().min(1).max(200),
  relayUrl: z.string().min(1).max(2048),
  vaultKey: vaultKeySchema,
  cursor: cursorSchema,
  /** Y.encodeStateAsUpdate of the document. */
  doc: b64,
  /** When the last sync with the relay completed (ms). */
  syncedAt: z.number().int().min(0),
});

/** The opened state. */
export const agentStateSchema = z.strictObject({
  format: z.literal('regvault-agent-state'),
  v: z.literal(1),
  name: z.string().min(1).max(200),
  person: z.string().min(1).max(64),
  device: z.strictObject({ seed: b64, boxPublic: b64, boxSecret: b64 }),
  vaults: z.array(agentVaultSchema),
});

/** One vault in the state. */
export type AgentVault = z.infer<typeof agentVaultSchema>;

/** The opened state. */
export type AgentState = z.infer<typeof agentStateSchema>;

/** The file as stored: only the sealed state and its nonce are in it. */
export const sealedFileSchema = z.strictObject({
  format: z.literal('regvault-agent-state'),
  v: z.literal(1),
  nonce: z.string().length(32),
  sealed: b64,
});
