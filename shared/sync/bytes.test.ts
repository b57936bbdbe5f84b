import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { base64Pattern, decodeBase64, encodeBase64, encodeU64, encodeUtf8, readU32 } from './bytes';

describe('base64', () => {
  test('matches Buffer for every length up to 300', () => {
    for (let length = 0; length <= 300; length++) {
      const bytes = new Uint8Array(randomBytes(length));
      const text = encodeBase64(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64'));
      expect(base64Pattern.test(text)).toBe(true);
      expect(decodeBase64(text)).toEqual(bytes);
    }
  });

  test('refuses characters outside the alphabet and bad lengths', () => {
    expect(() => decodeBase64('ab$d')).toThrow();
    expect(() => decodeBase64('abc')).toThrow();
  });
});

test('utf8 matches Buffer, astral characters included', () => {
  for (const text of ['', 'ascii', 'grüße', '鍵', 'emoji 🔑 key', '\u0000\u007f\u0080\u07ff\u0800\uffff']) {
    expect(encodeUtf8(text)).toEqual(new Uint8Array(Buffer.from(text, 'utf8')));
  }
});

test('u64 encodes safe integers big-endian and refuses unsafe ones', () => {
  expect(encodeU64(0x0102030405)).toEqual(Uint8Array.of(0, 0, 0, 1, 2, 3, 4, 5));
  expect(readU32(encodeU64(Number.MAX_SAFE_INTEGER), 4)).toBe(0xffffffff);
  expect(() => encodeU64(-1)).toThrow(RangeError);
  expect(() => encodeU64(2 ** 53)).toThrow(RangeError);
});
