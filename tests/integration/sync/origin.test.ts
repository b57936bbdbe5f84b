// Any web page can open a WebSocket to a relay on localhost; the relay must refuse browser origins
// other than the app's own, and still serve clients that send no Origin (Node, the CLI).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { removeDataDir, startRelayProcess, type RelayProcess } from './harness';

let relay: RelayProcess;

beforeAll(async () => {
  relay = await startRelayProcess({ args: ['--allowed-origins', 'app://regvault,http://127.0.0.1:5173'] });
});

afterAll(async () => {
  await relay.kill();
  removeDataDir(relay);
});

/** Opens a socket with the given Origin header and reports the relay's first answer or refusal. */
function handshake(origin: string | undefined): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(relay.url, origin === undefined ? {} : { origin });
    ws.once('message', (data: Buffer) => {
      resolve(`frame:${(JSON.parse(data.toString()) as { t: string }).t}`);
      ws.close();
    });
    ws.once('unexpected-response', (_request, response) => {
      resolve(`http:${String(response.statusCode)}`);
      ws.terminate();
    });
    ws.once('error', (error) => resolve(`error:${error.message}`));
  });
}

describe('the relay and browser origins', () => {
  it('refuses a web page on another origin before the handshake completes', async () => {
    expect(await handshake('https://evil.example')).toBe('http:401');
    expect(await handshake('http://127.0.0.1:9999')).toBe('http:401');
    expect(await handshake('null')).toBe('http:401');
  });

  it("serves the app's own origin, an allowed one, and clients that send no Origin", async () => {
    expect(await handshake('app://regvault')).toBe('frame:hello');
    expect(await handshake('http://127.0.0.1:5173')).toBe('frame:hello');
    expect(await handshake(undefined)).toBe('frame:hello');
  });
});
