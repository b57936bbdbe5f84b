import nacl from 'tweetnacl';
import type { z } from 'zod';
import { decodeUtf8, encodeU64, encodeUtf8, wipeBytes, type RandomBytes } from './bytes';
import { damagedError, type DamagedSubject } from './errors';
import { deriveSubkey } from './subkey';

// Binding: secretbox has no associated data, so every record is sealed under a subkey derived from the
// parent key and the record's place (kind, vault id, epoch, sequence). A record copied to another vault,
// kind, epoch or log position is opened with a different subkey and fails authentication before any of
// its plaintext is parsed. This costs no stored bytes (the alternative, a header inside the plaintext,
// adds one to every log record and needs a parse-then-compare step that is easy to forget).

const FORMAT_VERSION = 1;
const HEADER = 1 + nacl.secretbox.nonceLength;

// Bytes a sealed record adds to its plaintext: format byte, nonce and MAC (41).
const SEAL_OVERHEAD = HEADER + nacl.secretbox.overheadLength;

/** Where a sealed record belongs; every field is bound into the key that seals it. */
export type RecordBinding =
  | Readonly<{ kind: 'master-key' | 'identity-keys' | 'settings' | 'recovery-key' }>
  | Readonly<{ kind: 'vault-key' | 'vault-meta'; vaultId: string; epoch: number }>
  | Readonly<{ kind: 'vault-update' | 'vault-snapshot'; vaultId: string; epoch: number; seq: number }>
  | Readonly<{ kind: 'sync-settings' | 'sync-cursor'; vaultId: string; epoch: number }>
  /** A queued sync envelope; `seq` is the envelope's counter. */
  | Readonly<{ kind: 'sync-pending'; vaultId: string; epoch: number; seq: number }>
  /** The sync engine's log replica (what the judge reads); `seq` is the head it was taken at. */
  | Readonly<{ kind: 'sync-replica'; vaultId: string; epoch: number; seq: number }>;

/** The kinds of sealed record. */
export type RecordKind = RecordBinding['kind'];

/**
 * The domain label each kind's subkeys are derived under. Part of the stored format: a label never changes.
 * The sync kinds (a vault's relay settings, engine cursor and queue) were sealed by the renderer's own copy
 * of this construction under their own label before they became kinds here; they keep it, so stores written
 * then open unchanged.
 */
const DOMAIN_OF: Readonly<Record<RecordKind, string>> = {
  'master-key': 'regvault/record/v1',
  'identity-keys': 'regvault/record/v1',
  settings: 'regvault/record/v1',
  'recovery-key': 'regvault/record/v1',
  'vault-key': 'regvault/record/v1',
  'vault-meta': 'regvault/record/v1',
  'vault-update': 'regvault/record/v1',
  'vault-snapshot': 'regvault/record/v1',
  'sync-settings': 'regvault/sync-record/v1',
  'sync-cursor': 'regvault/sync-record/v1',
  'sync-pending': 'regvault/sync-record/v1',
  'sync-replica': 'regvault/sync-record/v1',
};

/** A sealed record as stored: format byte, 24-byte random nonce, secretbox ciphertext. */
export type SealedRecord = Uint8Array;

function deriveRecordKey(key: Uint8Array, binding: RecordBinding): Uint8Array {
  const vaultId = 'vaultId' in binding ? binding.vaultId : '';
  const epoch = 'epoch' in binding ? binding.epoch : 0;
  const seq = 'seq' in binding ? binding.seq : 0;
  return deriveSubkey(key, DOMAIN_OF[binding.kind], binding.kind, vaultId, encodeU64(epoch), encodeU64(seq));
}

/** Names the subject of a binding for a `damaged` error. */
export function subjectOf(binding: RecordBinding): DamagedSubject {
  switch (binding.kind) {
    case 'master-key':
    case 'identity-keys':
      return { what: 'profile-identity' };
    case 'settings':
    case 'recovery-key':
      return { what: 'profile-settings' };
    case 'vault-key':
    case 'vault-meta':
      return { what: binding.kind, vaultId: binding.vaultId };
    case 'vault-update':
    case 'vault-snapshot':
      return { what: binding.kind, vaultId: binding.vaultId, seq: binding.seq };
    case 'sync-settings':
    case 'sync-cursor':
    case 'sync-pending':
    case 'sync-replica':
      return { what: 'vault-sync', vaultId: binding.vaultId };
  }
}

/** Seals `plaintext` with `key` for the place `binding` names, under a fresh random nonce. */
export function sealRecord(
  plaintext: Uint8Array,
  key: Uint8Array,
  binding: RecordBinding,
  random: RandomBytes,
): SealedRecord {
  const nonce = random(nacl.secretbox.nonceLength);
  if (nonce.length !== nacl.secretbox.nonceLength) throw new RangeError('random() returned the wrong length');
  const recordKey = deriveRecordKey(key, binding);
  const box = nacl.secretbox(plaintext, nonce, recordKey);
  wipeBytes(recordKey);
  const sealed = new Uint8Array(HEADER + box.length);
  sealed[0] = FORMAT_VERSION;
  sealed.set(nonce, 1);
  sealed.set(box, HEADER);
  return sealed;
}

/** Opens a sealed record; null when it was altered, sealed with another key, or sealed for another place. */
export function tryOpenRecord(sealed: Uint8Array, key: Uint8Array, binding: RecordBinding): Uint8Array | null {
  if (!(sealed instanceof Uint8Array) || sealed.length < SEAL_OVERHEAD || sealed[0] !== FORMAT_VERSION) return null;
  const recordKey = deriveRecordKey(key, binding);
  const plaintext = nacl.secretbox.open(sealed.subarray(HEADER), sealed.subarray(1, HEADER), recordKey);
  wipeBytes(recordKey);
  return plaintext;
}

/** Opens a sealed record or throws a `damaged` VaultError naming what `binding` points at. */
export function openRecord(sealed: Uint8Array, key: Uint8Array, binding: RecordBinding): Uint8Array {
  const plaintext = tryOpenRecord(sealed, key, binding);
  if (plaintext === null) throw damagedError(subjectOf(binding));
  return plaintext;
}

/** Wraps a 32-byte key under `wrappingKey` for the place `binding` names. */
export function wrapKey(
  key: Uint8Array,
  wrappingKey: Uint8Array,
  binding: RecordBinding,
  random: RandomBytes,
): SealedRecord {
  if (key.length !== nacl.secretbox.keyLength) throw new RangeError('wrapKey wraps 32-byte keys');
  return sealRecord(key, wrappingKey, binding, random);
}

/** Unwraps a key wrapped by `wrapKey`; throws `damaged` if it fails authentication or is not 32 bytes. */
export function unwrapKey(wrapped: Uint8Array, wrappingKey: Uint8Array, binding: RecordBinding): Uint8Array {
  const key = openRecord(wrapped, wrappingKey, binding);
  if (key.length !== nacl.secretbox.keyLength) {
    wipeBytes(key);
    throw damagedError(subjectOf(binding));
  }
  return key;
}

/** Seals a JSON value (`JSON.stringify`, then UTF-8) for the place `binding` names. */
export function sealJsonRecord(
  value: unknown,
  key: Uint8Array,
  binding: RecordBinding,
  random: RandomBytes,
): SealedRecord {
  return sealRecord(encodeUtf8(JSON.stringify(value)), key, binding, random);
}

/** Opens a JSON record and parses it with `schema`; throws `damaged` if altered, moved, or not what `schema` wants. */
export function openJsonRecord<T>(
  sealed: Uint8Array,
  key: Uint8Array,
  binding: RecordBinding,
  schema: z.ZodType<T>,
): T {
  const text = decodeUtf8(openRecord(sealed, key, binding));
  let json: unknown;
  try {
    json = text === null ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw damagedError(subjectOf(binding));
  return parsed.data;
}
