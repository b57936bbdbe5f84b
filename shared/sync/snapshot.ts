// Snapshots: the whole document state plus every author's last counter, sealed and signed like an
// envelope, committing to the relay sequence number they cover. The relay may then prune the
// envelopes up to that number; the counters let clients keep rejecting replays after the pruning.
import { concatBytes, decodeBase64, encodeBase64, encodeU32, encodeU64, readU32 } from '../crypto/bytes';
import { encodeSealedMessage, encodeSnapshotHeader } from './canonical';
import type { VaultKey } from './envelope';
import type { DeviceSigner, RandomBytes, VerifySignature } from './ports';
import {
  decodeSealedFields,
  encodeSealedFields,
  openBehindHeader,
  pickFields,
  sealBehindHeader,
} from './sealed-fields';
import type { WireSnapshot } from './wire-records';

/** A snapshot with its binary fields decoded. */
export type Snapshot = Readonly<{
  vault: string;
  epoch: number;
  author: Uint8Array;
  seq: number;
  nonce: Uint8Array;
  ciphertext: Uint8Array;
  sig: Uint8Array;
}>;

/** What a snapshot holds once opened: the Yjs state and the last counter of every author (base64 key → counter). */
export type SnapshotContent = Readonly<{ state: Uint8Array; counters: Readonly<Record<string, number>> }>;

const snapshotFields = ['vault', 'epoch', 'author', 'seq', 'nonce', 'ciphertext', 'sig'] as const;

/** Decodes the base64 fields of a schema-checked wire snapshot. */
export function decodeSnapshot(wire: WireSnapshot): Snapshot {
  return pickFields(decodeSealedFields(wire), snapshotFields);
}

/** Encodes a snapshot for the wire. */
export function encodeSnapshot(snap: Snapshot): WireSnapshot {
  return pickFields(encodeSealedFields(snap), snapshotFields);
}

function headerOf(snap: Pick<Snapshot, 'vault' | 'epoch' | 'author' | 'seq'>): Uint8Array {
  return encodeSnapshotHeader({ vault: snap.vault, epoch: snap.epoch, author: snap.author, position: snap.seq });
}

/** The bytes a snapshot's signature covers. */
export function encodeSnapshotSignedBytes(snap: Snapshot): Uint8Array {
  return encodeSealedMessage(headerOf(snap), snap.nonce, snap.ciphertext);
}

function encodeContent(content: SnapshotContent): Uint8Array {
  const entries = Object.entries(content.counters);
  const parts: Uint8Array[] = [encodeU32(entries.length)];
  for (const [author, counter] of entries) parts.push(decodeBase64(author), encodeU64(counter));
  parts.push(content.state);
  return concatBytes(parts);
}

function decodeContent(bytes: Uint8Array): SnapshotContent | null {
  try {
    const count = readU32(bytes, 0);
    if (4 + count * 40 > bytes.length) return null;
    const counters: Record<string, number> = {};
    let offset = 4;
    for (let i = 0; i < count; i++, offset += 40) {
      const author = encodeBase64(bytes.subarray(offset, offset + 32));
      counters[author] = readU32(bytes, offset + 32) * 0x100000000 + readU32(bytes, offset + 36);
    }
    return { state: bytes.slice(offset), counters };
  } catch {
    return null;
  }
}

/** What `sealSnapshot` needs. */
export type SealSnapshotInput = Readonly<{
  vault: string;
  vaultKey: VaultKey;
  seq: number;
  content: SnapshotContent;
  signer: DeviceSigner;
  random: RandomBytes;
}>;

/** Encrypts a document state under the vault key, committing to `seq`, and signs it. */
export async function sealSnapshot(input: SealSnapshotInput): Promise<Snapshot> {
  const fields = { vault: input.vault, epoch: input.vaultKey.epoch, author: input.signer.publicKey, seq: input.seq };
  const body = encodeContent(input.content);
  const sealed = await sealBehindHeader(headerOf(fields), body, input.vaultKey, input.signer, input.random);
  return { ...fields, ...sealed };
}

/** Checks a snapshot's Ed25519 signature against its author key. */
export async function verifySnapshot(snap: Snapshot, verify: VerifySignature): Promise<boolean> {
  return verify(snap.sig, encodeSnapshotSignedBytes(snap), snap.author);
}

/** Decrypts a snapshot and checks its sealed header; null if either fails. */
export function openSnapshot(snap: Snapshot, vaultKey: VaultKey): SnapshotContent | null {
  const body = openBehindHeader(snap, headerOf(snap), vaultKey);
  return body === null ? null : decodeContent(body);
}
