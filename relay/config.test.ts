import { resolve } from 'node:path';
import { expect, test } from 'vitest';
import { defaultMaxFrameBytes, parseRelayConfig } from './config';

test('defaults, then environment, then flags', () => {
  expect(parseRelayConfig([], {})).toEqual({
    host: '127.0.0.1',
    port: 8787,
    dataDir: resolve('./relay-data'),
    maxFrameBytes: defaultMaxFrameBytes,
    durability: 'full',
    allowedOrigins: ['app://regvault'],
  });
  expect(parseRelayConfig(['--allowed-origins', 'app://regvault, http://127.0.0.1:5173'], {}).allowedOrigins).toEqual([
    'app://regvault',
    'http://127.0.0.1:5173',
  ]);
  const env = { REGVAULT_RELAY_HOST: '0.0.0.0', REGVAULT_RELAY_PORT: '9000', REGVAULT_RELAY_DATA_DIR: '/tmp/r' };
  expect(parseRelayConfig([], env)).toMatchObject({ host: '0.0.0.0', port: 9000, dataDir: '/tmp/r' });
  expect(
    parseRelayConfig(['--port', '0', '--max-frame-bytes=65536', '--data-dir', '/tmp/x', '--durability', 'normal'], env),
  ).toMatchObject({
    host: '0.0.0.0',
    port: 0,
    dataDir: '/tmp/x',
    maxFrameBytes: 65536,
    durability: 'normal',
  });
});

test('unknown flags, missing values and bad values are refused with the reason', () => {
  expect(() => parseRelayConfig(['--prot', '1'], {})).toThrow(/unknown option --prot/);
  expect(() => parseRelayConfig(['--port'], {})).toThrow(/--port needs a value/);
  expect(() => parseRelayConfig(['--port', '70000'], {})).toThrow(/port/);
  expect(() => parseRelayConfig(['--durability', 'none'], {})).toThrow(/durability/);
  expect(() => parseRelayConfig(['--allowed-origins', 'evil.example'], {})).toThrow(/origin is scheme/);
});
