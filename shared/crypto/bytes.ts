// Byte helpers for shared/: no TextEncoder, Buffer or crypto global exists under lib ES2022 alone.

/** A source of cryptographically secure random bytes, injected by the caller (e.g. `nacl.randomBytes`). */
export type RandomBytes = (length: number) => Uint8Array;

/** Encodes a string as UTF-8 (lone surrogates become U+FFFD, as TextEncoder does). */
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

/** Joins byte arrays into one new array. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Compares two byte arrays in time independent of where they differ. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/** Writes a non-negative integer below 2^53 as 8 big-endian bytes. */
export function encodeUint64(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError('encodeUint64 expects a safe non-negative integer');
  const out = new Uint8Array(8);
  const high = Math.floor(value / 0x100000000);
  const low = value >>> 0;
  for (let i = 0; i < 4; i++) {
    out[3 - i] = (high >>> (8 * i)) & 0xff;
    out[7 - i] = (low >>> (8 * i)) & 0xff;
  }
  return out;
}

/** Encodes strings and byte arrays as length-prefixed fields, so no two different lists encode alike. */
export function encodeFields(...fields: readonly (string | Uint8Array)[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const field of fields) {
    const bytes = typeof field === 'string' ? encodeUtf8(field) : field;
    parts.push(encodeUint64(bytes.length), bytes);
  }
  return concatBytes(...parts);
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
