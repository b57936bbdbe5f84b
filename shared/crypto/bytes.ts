// The one set of byte helpers of shared/ (no TextEncoder, Buffer, atob or crypto global exists under lib
// ES2022 alone): UTF-8, base64, big-endian integers, length-prefixed fields, comparison and wiping. Used
// by the local store, the sync protocol and the relay alike, so each rule below holds everywhere.
//
// Lone surrogates: `encodeUtf8` replaces each unpaired UTF-16 surrogate with U+FFFD (EF BF BD), exactly as
// TextEncoder does. That keeps every encoding deterministic and valid UTF-8 (so `decodeUtf8`, which is
// strict, reads back whatever was encoded), and it is the rule every stored byte was written with: the
// passphrase fed to Argon2id and the length-prefixed fields of subkeys. Protocol fields (vault ids, domain
// strings) are ASCII by schema, and JSON.stringify escapes lone surrogates, so no sealed or signed text
// depends on the replacement. Pinned by tests/fixtures/bytes-v1.json.

/** A source of cryptographically secure random bytes, injected by the caller (e.g. `nacl.randomBytes`). */
export type RandomBytes = (length: number) => Uint8Array;

/** Encodes a string as UTF-8; a lone surrogate becomes U+FFFD, as TextEncoder does (see the header). */
export function encodeUtf8(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else code = 0xfffd;
    } else if (code >= 0xdc00 && code <= 0xdfff) code = 0xfffd;
    if (code < 0x80) out.push(code);
    else if (code < 0x800) out.push(0xc0 | (code >> 6), 0x80 | (code & 0x3f));
    else if (code < 0x10000) out.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
    else out.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 0x3f), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
  }
  return Uint8Array.from(out);
}

/** Decodes strict UTF-8; returns null on any malformed, overlong or surrogate sequence. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  const units: number[] = [];
  for (let i = 0; i < bytes.length;) {
    const b0 = bytes[i] ?? 0;
    const size =
      b0 < 0x80 ? 1 : b0 >= 0xc2 && b0 < 0xe0 ? 2 : b0 >= 0xe0 && b0 < 0xf0 ? 3 : b0 >= 0xf0 && b0 < 0xf5 ? 4 : 0;
    if (size === 0 || i + size > bytes.length) return null;
    let code = size === 1 ? b0 : b0 & (0xff >> (size + 1));
    for (let k = 1; k < size; k++) {
      const b = bytes[i + k] ?? 0;
      if ((b & 0xc0) !== 0x80) return null;
      code = (code << 6) | (b & 0x3f);
    }
    const min = [0, 0, 0x80, 0x800, 0x10000][size] ?? 0;
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return null;
    if (code >= 0x10000) units.push(0xd800 + ((code - 0x10000) >> 10), 0xdc00 + ((code - 0x10000) & 0x3ff));
    else units.push(code);
    i += size;
  }
  let text = '';
  for (let i = 0; i < units.length; i += 8192) text += String.fromCharCode(...units.slice(i, i + 8192));
  return text;
}

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const decodeTable = new Int16Array(128).fill(-1);
for (let i = 0; i < alphabet.length; i++) decodeTable[alphabet.charCodeAt(i)] = i;

/** Encodes bytes as padded standard base64. */
export function encodeBase64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += alphabet.charAt(n >>> 18) + alphabet.charAt((n >>> 12) & 63);
    out += alphabet.charAt((n >>> 6) & 63) + alphabet.charAt(n & 63);
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = (bytes[i] ?? 0) << 16;
    out += alphabet.charAt(n >>> 18) + alphabet.charAt((n >>> 12) & 63) + '==';
  } else if (rest === 2) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8);
    out += alphabet.charAt(n >>> 18) + alphabet.charAt((n >>> 12) & 63) + alphabet.charAt((n >>> 6) & 63) + '=';
  }
  return out;
}

/** Decodes padded standard base64; throws on anything else (callers validate with the wire schemas first). */
export function decodeBase64(text: string): Uint8Array {
  if (text.length % 4 !== 0) throw new Error('base64 length is not a multiple of 4');
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const a = sextet(text, i);
    const b = sextet(text, i + 1);
    const c = text.charAt(i + 2) === '=' ? 0 : sextet(text, i + 2);
    const d = text.charAt(i + 3) === '=' ? 0 : sextet(text, i + 3);
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    if (o < out.length) out[o++] = n >>> 16;
    if (o < out.length) out[o++] = (n >>> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}

function sextet(text: string, index: number): number {
  const value = decodeTable[text.charCodeAt(index)] ?? -1;
  if (value < 0) throw new Error('invalid base64 character');
  return value;
}

/** Concatenates byte arrays. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Compares two byte arrays in time independent of where they differ (only lengths leak); the only equality. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/** Encodes an unsigned 32-bit integer, big-endian. */
export function encodeU32(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError('not a u32');
  return Uint8Array.of(value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255);
}

/** Encodes a non-negative safe integer as 8 bytes, big-endian. */
export function encodeU64(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError('not a safe non-negative integer');
  const high = Math.floor(value / 0x100000000);
  return concatBytes([encodeU32(high), encodeU32(value - high * 0x100000000)]);
}

/** Reads a big-endian u32 at `offset`; throws when out of range. */
export function readU32(bytes: Uint8Array, offset: number): number {
  if (offset < 0 || offset + 4 > bytes.length) throw new RangeError('read past the end');
  return (
    (((bytes[offset] ?? 0) << 24) >>> 0) +
    ((bytes[offset + 1] ?? 0) << 16) +
    ((bytes[offset + 2] ?? 0) << 8) +
    (bytes[offset + 3] ?? 0)
  );
}

/** Prefixes bytes with their u32 length (protocol messages), so concatenated fields cannot be re-split differently. */
export function lengthPrefixed(bytes: Uint8Array): Uint8Array {
  return concatBytes([encodeU32(bytes.length), bytes]);
}

/** Encodes strings and bytes as u64-length-prefixed fields (subkey contexts): no two different lists encode alike. */
export function encodeFields(...fields: readonly (string | Uint8Array)[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const field of fields) {
    const bytes = typeof field === 'string' ? encodeUtf8(field) : field;
    parts.push(encodeU64(bytes.length), bytes);
  }
  return concatBytes(parts);
}

/** Lower-case hex of the bytes (ids, never secrets). */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** Overwrites every given array with zeros; keys are wiped this way when a session locks. */
export function wipeBytes(...arrays: readonly (Uint8Array | null | undefined)[]): void {
  for (const array of arrays) array?.fill(0);
}
