// Snapshots: the whole document state plus every author's last counter, sealed and signed like an
// envelope, committing to the relay sequence number they cover. The relay may then prune the
// envelopes up to that number; the counters let clients keep rejecting replays after the pruning.
import nacl from 'tweetnacl';
import { concatBytes, decodeBase64, encodeBase64, encodeU32, encodeU64, equalBytes, readU32 } from '../crypto/bytes';
import { encodeSealedMessage, encodeSnapshotHeader } from './canonical';
import type { VaultKey } from './envelope';
import type { DeviceSigner, RandomBytes, VerifySignature } from './ports';
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

/** Decodes the base64 fields of a schema-checked wire snapshot. */
export function decodeSnapshot(wire: WireSnapshot): Snapshot {
  return {
    vault: wire.vault,
    epoch: wire.epoch,
    author: decodeBase64(wire.author),
    seq: wire.seq,
    nonce: decodeBase64(wire.nonce),
    ciphertext: decodeBase64(wire.ciphertext),
    sig: decodeBase64(wire.sig),
  };
}

/** Encodes a snapshot for the wire. */
export function encodeSnapshot(snap: Snapshot): WireSnapshot {
  return {
    vault: snap.vault,
    epoch: snap.epoch,
    author: encodeBase64(snap.author),
    seq: snap.seq,
    nonce: encodeBase64(snap.nonce),
    ciphertext: encodeBase64(snap.ciphertext),
    sig: encodeBase64(snap.sig),
  };
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
  const header = headerOf(fields);
  const nonce = input.random(nacl.secretbox.nonceLength);
  const ciphertext = nacl.secretbox(concatBytes([header, encodeContent(input.content)]), nonce, input.vaultKey.key);
  const sig = await input.signer.sign(encodeSealedMessage(header, nonce, ciphertext));
  return { ...fields, nonce, ciphertext, sig };
}

/** Checks a snapshot's Ed25519 signature against its author key. */
export async function verifySnapshot(snap: Snapshot, verify: VerifySignature): Promise<boolean> {
  return verify(snap.sig, encodeSnapshotSignedBytes(snap), snap.author);
}

/** Decrypts a snapshot and checks its sealed header; null if either fails. */
export function openSnapshot(snap: Snapshot, vaultKey: VaultKey): SnapshotContent | null {
  if (snap.epoch !== vaultKey.epoch) return null;
  const plain = nacl.secretbox.open(snap.ciphertext, snap.nonce, vaultKey.key);
  if (!plain) return null;
  const header = headerOf(snap);
  if (plain.length < header.length || !equalBytes(plain.subarray(0, header.length), header)) return null;
  return decodeContent(plain.subarray(header.length));
}
