import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  concatBytes,
  decodeBase64,
  decodeUtf8,
  encodeBase64,
  encodeFields,
  encodeU64,
  encodeUtf8,
  equalBytes,
  lengthPrefixed,
  readU32,
  toHex,
  wipeBytes,
} from './bytes';

const samples = [
  '',
  'docker.io',
  'Grüße, ñandú',
  '日本語のレジストリ',
  'emoji 🐳🔐 pair',
  'tab\tnew\nline',
  '\u0000nul',
];

describe('UTF-8', () => {
  it.each(samples)('encodes %j exactly as TextEncoder does and decodes it back', (text) => {
    const bytes = encodeUtf8(text);
    expect(Array.from(bytes)).toEqual(Array.from(new TextEncoder().encode(text)));
    expect(decodeUtf8(bytes)).toBe(text);
  });

  it.each(['a\ud800b\udc00c', '\ud800', 'x\udbff', '\udc00\ud800', '\ud83d\ud83d\udd11'])(
    'replaces lone surrogates in %j with U+FFFD, like TextEncoder, into bytes that decode back',
    (text) => {
      const bytes = encodeUtf8(text);
      expect(Array.from(bytes)).toEqual(Array.from(new TextEncoder().encode(text)));
      expect(decodeUtf8(bytes)).toBe(text.replace(/[\ud800-\udfff]/gu, '\ufffd'));
    },
  );

  it('decodes long text (beyond one String.fromCharCode chunk)', () => {
    const text = 'é🐳'.repeat(20_000);
    expect(decodeUtf8(encodeUtf8(text))).toBe(text);
  });

  it.each([
    ['overlong', [0xc0, 0xaf]],
    ['truncated', [0xe6, 0x97]],
    ['encoded surrogate', [0xed, 0xa0, 0x80]],
    ['stray continuation', [0x80]],
    ['above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
  ])('refuses %s sequences', (_name, bytes) => {
    expect(decodeUtf8(Uint8Array.from(bytes))).toBeNull();
  });
});

describe('byte helpers', () => {
  it('encodes integers as 8 big-endian bytes and refuses unsafe ones', () => {
    expect(readU32(encodeU64(Number.MAX_SAFE_INTEGER), 4)).toBe(0xffffffff);
    expect(() => encodeU64(2 ** 53)).toThrow(RangeError);
    expect(toHex(encodeU64(0))).toBe('0000000000000000');
    expect(toHex(encodeU64(0x0102030405))).toBe('0000000102030405');
    expect(toHex(encodeU64(Number.MAX_SAFE_INTEGER))).toBe('001fffffffffffff');
    expect(() => encodeU64(-1)).toThrow(RangeError);
    expect(() => encodeU64(1.5)).toThrow(RangeError);
  });

  it('length-prefixes fields so that different splits never encode alike', () => {
    expect(toHex(lengthPrefixed(Uint8Array.of(7, 8)))).toBe('000000020708');
    expect(equalBytes(encodeFields('ab', 'c'), encodeFields('a', 'bc'))).toBe(false);
    expect(equalBytes(encodeFields('a', ''), encodeFields('a'))).toBe(false);
    expect(equalBytes(encodeFields('a', 'b'), encodeFields('a', 'b'))).toBe(true);
  });

  it('concatenates, compares and wipes', () => {
    const joined = concatBytes([Uint8Array.of(1, 2), Uint8Array.of(), Uint8Array.of(3)]);
    expect(Array.from(joined)).toEqual([1, 2, 3]);
    expect(equalBytes(joined, Uint8Array.of(1, 2, 3))).toBe(true);
    expect(equalBytes(joined, Uint8Array.of(1, 2, 4))).toBe(false);
    expect(equalBytes(joined, Uint8Array.of(1, 2))).toBe(false);
    const other = Uint8Array.of(9, 9);
    wipeBytes(joined, null, other, undefined);
    expect(Array.from(joined)).toEqual([0, 0, 0]);
    expect(Array.from(other)).toEqual([0, 0]);
  });
});

describe('base64', () => {
  it('matches Buffer for every length up to 300', () => {
    for (let length = 0; length <= 300; length++) {
      const bytes = new Uint8Array(randomBytes(length));
      const text = encodeBase64(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64'));
      expect(decodeBase64(text)).toEqual(bytes);
    }
  });

  it('refuses characters outside the alphabet and bad lengths', () => {
    expect(() => decodeBase64('ab$d')).toThrow();
    expect(() => decodeBase64('abc')).toThrow();
  });
});
