// BENCH BASELINE ONLY — a minimal y-websocket-style client (sync step 1/2 + updates) for the
// plaintext baseline, @y/websocket-server (bench/sync-y-websocket-server.ts).
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';

const messageSync = 0;

/** A connected plaintext client: its doc is kept in sync with the room. */
export type PlainClient = Readonly<{ doc: Y.Doc; ws: WebSocket; synced: Promise<void>; close: () => void }>;

/** Connects a doc to `url/room` and resolves once the socket is open. */
export async function connectPlainClient(url: string, room: string, doc = new Y.Doc()): Promise<PlainClient> {
  const ws = new WebSocket(`${url}/${room}`);
  ws.binaryType = 'arraybuffer';
  const origin = { plain: true };
  let markSynced: () => void = () => undefined;
  const synced = new Promise<void>((resolve) => (markSynced = resolve));
  ws.on('message', (data: ArrayBuffer) => {
    const decoder = decoding.createDecoder(new Uint8Array(data));
    const encoder = encoding.createEncoder();
    if (decoding.readVarUint(decoder) !== messageSync) return;
    encoding.writeVarUint(encoder, messageSync);
    const type = syncProtocol.readSyncMessage(decoder, encoder, doc, origin);
    if (type === syncProtocol.messageYjsSyncStep2) markSynced();
    if (encoding.length(encoder) > 1) ws.send(encoding.toUint8Array(encoder));
  });
  doc.on('update', (update: Uint8Array, from: unknown) => {
    if (from === origin || ws.readyState !== WebSocket.OPEN) return;
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, messageSync);
    syncProtocol.writeUpdate(encoder, update);
    ws.send(encoding.toUint8Array(encoder));
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, messageSync);
  syncProtocol.writeSyncStep1(encoder, doc);
  ws.send(encoding.toUint8Array(encoder));
  return { doc, ws, synced, close: () => ws.close() };
}

/** Encodes a Yjs update as a y-websocket sync message (for raw throughput sends). */
export function encodeSyncUpdate(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, messageSync);
  syncProtocol.writeUpdate(encoder, update);
  return encoding.toUint8Array(encoder);
}
