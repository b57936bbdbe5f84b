import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from 'vitest';
import { parseRelayConfig, resolvePublicUrl } from './config';
import { defaultLimits } from './limits';

test('defaults, then environment, then flags', () => {
  expect(parseRelayConfig([], {})).toEqual({
    host: '127.0.0.1',
    port: 8787,
    dataDir: resolve('./relay-data'),
    maxFrameBytes: 8 * 1024 * 1024,
    durability: 'full',
    allowedOrigins: ['app://regvault'],
    publicUrl: null,
    limits: defaultLimits,
    database: null,
    databasePoolSize: 10,
    tls: null,
    metricsListen: null,
  });
  // Metrics only where asked for, on their own listener.
  expect(parseRelayConfig(['--metrics-listen', '127.0.0.1:9464'], {}).metricsListen).toEqual({
    host: '127.0.0.1',
    port: 9464,
  });
  expect(parseRelayConfig([], { REGVAULT_RELAY_METRICS_LISTEN: '[::1]:0' }).metricsListen).toEqual({
    host: '::1',
    port: 0,
  });
  expect(() => parseRelayConfig(['--metrics-listen', '9464'], {})).toThrow(/metricsListen: host:port/);
  expect(
    parseRelayConfig(['--max-invitations-per-device', '7', '--full-catch-ups-per-hour', '3'], {}).limits,
  ).toMatchObject({ fullCatchUpsPerHour: 3, quotas: { invitationsPerDevice: 7 } });
  expect(parseRelayConfig(['--allowed-origins', 'app://regvault, http://127.0.0.1:5173'], {}).allowedOrigins).toEqual([
    'app://regvault',
    'http://127.0.0.1:5173',
  ]);
  const env = {
    REGVAULT_RELAY_HOST: '0.0.0.0',
    REGVAULT_RELAY_PORT: '9000',
    REGVAULT_RELAY_DATA_DIR: '/tmp/r',
    REGVAULT_RELAY_PUBLIC_URL: 'wss://Relay.Example.com:443',
  };
  expect(parseRelayConfig([], env)).toMatchObject({
    host: '0.0.0.0',
    port: 9000,
    dataDir: '/tmp/r',
    publicUrl: 'wss://relay.example.com/',
  });
  expect(parseRelayConfig(['--public-url', 'wss://sync.example.com/regvault'], env).publicUrl).toBe(
    'wss://sync.example.com/regvault',
  );
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
  expect(() => parseRelayConfig(['--database', 'mysql://db/relay'], {})).toThrow(/postgres:\/\//);
  expect(() => parseRelayConfig(['--tls-cert', 'cert.pem'], {})).toThrow(/--tls-cert and --tls-key go together/);
});

test('PostgreSQL and TLS: from flags or the environment; a TLS relay on loopback derives wss://', () => {
  const env = { REGVAULT_RELAY_DATABASE_URL: 'postgres://relay@db:5432/regvault' };
  expect(parseRelayConfig([], env).database).toBe('postgres://relay@db:5432/regvault');
  expect(parseRelayConfig(['--database', 'postgresql://other/db'], env).database).toBe('postgresql://other/db');
  const tls = parseRelayConfig(['--tls-cert', 'c.pem', '--tls-key', 'k.pem'], {});
  expect(tls.tls).toEqual({ cert: resolve('c.pem'), key: resolve('k.pem') });
  expect(resolvePublicUrl(tls, 8443)).toBe('wss://127.0.0.1:8443/');
  expect(() => parseRelayConfig(['--host', '0.0.0.0', '--tls-cert', 'c.pem', '--tls-key', 'k.pem'], {})).toThrow(
    /--public-url/,
  );
});

test('the public URL: given, or derived from a loopback listen address; required elsewhere', () => {
  expect(resolvePublicUrl(parseRelayConfig([], {}), 8787)).toBe('ws://127.0.0.1:8787/');
  expect(resolvePublicUrl(parseRelayConfig(['--host', '::1', '--port', '0'], {}), 40001)).toBe('ws://[::1]:40001/');
  expect(resolvePublicUrl(parseRelayConfig(['--host', 'localhost'], {}), 9)).toBe('ws://localhost:9/');
  const behindProxy = parseRelayConfig(['--public-url', 'wss://relay.example.com'], {});
  expect(resolvePublicUrl(behindProxy, 8787)).toBe('wss://relay.example.com/');
  expect(() => parseRelayConfig(['--host', '0.0.0.0'], {})).toThrow(/--public-url .* must say the wss:\/\/ address/);
  expect(() => parseRelayConfig(['--host', '10.0.0.5'], {})).toThrow(/--public-url/);
  expect(() => parseRelayConfig(['--public-url', 'ws://relay.example.com'], {})).toThrow(
    /Use wss:\/\/relay\.example\.com/,
  );
  expect(() => parseRelayConfig(['--public-url', 'https://relay.example.com'], {})).toThrow(/WebSocket address/);
  expect(parseRelayConfig(['--host', '0.0.0.0', '--public-url', 'ws://127.0.0.1:8787'], {}).publicUrl).toBe(
    'ws://127.0.0.1:8787/',
  );
});

test('limits: flags and environment, an allow-list file, and a clear refusal of a bad key in it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'regvault-allow-'));
  const key = Buffer.alloc(32, 7).toString('base64');
  writeFileSync(join(dir, 'ok'), `# team laptops\n${key}\n\n`);
  writeFileSync(join(dir, 'bad'), `${key}\nnot-a-key\n`);
  const config = parseRelayConfig(
    ['--auth-deadline-ms', '500', '--messages-per-second=0', '--allowed-devices', join(dir, 'ok')],
    { REGVAULT_RELAY_MAX_CONNECTIONS_PER_ADDRESS: '3' },
  );
  expect(config.limits).toMatchObject({ authDeadlineMs: 500, messagesPerSecond: 0, maxConnectionsPerAddress: 3 });
  expect([...(config.limits.allowedDevices ?? [])]).toEqual([key]);
  expect(() => parseRelayConfig(['--allowed-devices', join(dir, 'bad')], {})).toThrow(/bad:2: not a device key/);
  expect(() => parseRelayConfig(['--pre-auth-frame-bytes', '10'], {})).toThrow(/preAuthFrameBytes/);
});
