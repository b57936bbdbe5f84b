import { describe, expect, test } from 'vitest';
import { checkRelayUrl, isLoopbackHost } from './relay-url';

describe('checkRelayUrl', () => {
  test.each([
    ['wss://relay.example.com', 'wss://relay.example.com/'],
    ['  WSS://Relay.Example.com:443/regvault ', 'wss://relay.example.com/regvault'],
    ['wss://10.0.0.5:8443', 'wss://10.0.0.5:8443/'],
    ['ws://127.0.0.1:8787', 'ws://127.0.0.1:8787/'],
    ['ws://127.1:8787', 'ws://127.0.0.1:8787/'],
    ['ws://127.200.3.4', 'ws://127.200.3.4/'],
    ['ws://LOCALHOST:8787', 'ws://localhost:8787/'],
    ['ws://[::1]:8787', 'ws://[::1]:8787/'],
    ['ws://[0:0:0:0:0:0:0:1]:8787', 'ws://[::1]:8787/'],
  ])('accepts %j as %j', (input, canonical) => {
    expect(checkRelayUrl(input)).toEqual({ ok: true, value: canonical });
  });

  test.each([
    'ws://relay.example.com',
    'ws://10.0.0.5:8787',
    'ws://192.168.1.2',
    'ws://128.0.0.1',
    'ws://[::2]',
    'ws://[::ffff:127.0.0.1]',
    'ws://localhost.example.com',
    'ws://127.0.0.1.example.com',
  ])('refuses plain %j and says to use wss://', (input) => {
    const result = checkRelayUrl(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('insecure-remote');
    expect(result.error.message).toMatch(/allowed only to this machine.*Use wss:\/\//);
  });

  test('the advice names the same host over wss://', () => {
    const result = checkRelayUrl('ws://relay.example.com:8787/sync');
    expect(result.ok ? '' : result.error.message).toContain('Use wss://relay.example.com:8787/sync instead.');
  });

  test.each([
    'https://relay.example.com',
    'relay.example.com',
    'ws://',
    '',
    'wss://user:pw@relay.example.com',
    'wss://relay.example.com/?token=1',
    'wss://relay.example.com/#x',
  ])('refuses %j as not a relay address', (input) => {
    const result = checkRelayUrl(input);
    expect(result.ok ? null : result.error.code).toBe('not-websocket');
  });
});

test('isLoopbackHost takes URL hostnames', () => {
  for (const host of ['localhost', '127.0.0.1', '127.255.0.9', '[::1]']) expect(isLoopbackHost(host)).toBe(true);
  for (const host of ['::1', '10.0.0.1', 'example.com', '[::2]', '0.0.0.0']) expect(isLoopbackHost(host)).toBe(false);
});
