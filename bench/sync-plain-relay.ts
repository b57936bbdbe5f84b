// BENCH BASELINE ONLY — a minimal plaintext Yjs relay speaking the y-websocket wire protocol
// (y-protocols sync + awareness messages, one room per URL path, server-side Y.Doc per room,
// updates applied and broadcast to every connection of the room, as @y/websocket-server does).
// It sees and stores plaintext; it exists only so bench/sync.ts can compare against it in one run.
// Run: node --import tsx bench/sync-plain-relay.ts --port 0  → prints {"event":"listening","port":N}.
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { WebSocketServer, type WebSocket } from 'ws';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';

const messageSync = 0;
const messageAwareness = 1;

type Room = { doc: Y.Doc; awareness: awarenessProtocol.Awareness; conns: Set<WebSocket> };
const rooms = new Map<string, Room>();

function send(conn: WebSocket, message: Uint8Array): void {
  if (conn.readyState === conn.OPEN) conn.send(message);
}

function roomOf(name: string): Room {
  const room = rooms.get(name);
  if (room) return room;
  const doc = new Y.Doc({ gc: true });
  const awareness = new awarenessProtocol.Awareness(doc);
  awareness.setLocalState(null);
  const created: Room = { doc, awareness, conns: new Set() };
  doc.on('update', (update: Uint8Array) => {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, messageSync);
    syncProtocol.writeUpdate(encoder, update);
    const message = encoding.toUint8Array(encoder);
    for (const conn of created.conns) send(conn, message);
  });
  awareness.on('update', ({ added, updated, removed }: Record<string, number[]>, _origin: unknown) => {
    const changed = [...(added ?? []), ...(updated ?? []), ...(removed ?? [])];
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, messageAwareness);
    encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(awareness, changed));
    const message = encoding.toUint8Array(encoder);
    for (const conn of created.conns) send(conn, message);
  });
  rooms.set(name, created);
  return created;
}

function onMessage(conn: WebSocket, room: Room, data: Uint8Array): void {
  const decoder = decoding.createDecoder(data);
  const encoder = encoding.createEncoder();
  const type = decoding.readVarUint(decoder);
  if (type === messageSync) {
    encoding.writeVarUint(encoder, messageSync);
    syncProtocol.readSyncMessage(decoder, encoder, room.doc, conn);
    if (encoding.length(encoder) > 1) send(conn, encoding.toUint8Array(encoder));
  } else if (type === messageAwareness) {
    awarenessProtocol.applyAwarenessUpdate(room.awareness, decoding.readVarUint8Array(decoder), conn);
  }
}

const portArg = process.argv.indexOf('--port');
const port = portArg >= 0 ? Number(process.argv[portArg + 1]) : 1234;
const wss = new WebSocketServer({ host: '127.0.0.1', port });
wss.on('connection', (conn, request) => {
  const room = roomOf((request.url ?? '/').slice(1));
  room.conns.add(conn);
  conn.binaryType = 'arraybuffer';
  conn.on('message', (data: ArrayBuffer) => onMessage(conn, room, new Uint8Array(data)));
  conn.on('close', () => room.conns.delete(conn));
  conn.on('error', () => undefined);
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, messageSync);
  syncProtocol.writeSyncStep1(encoder, room.doc);
  send(conn, encoding.toUint8Array(encoder));
});
wss.on('listening', () => {
  const address = wss.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  process.stdout.write(`${JSON.stringify({ event: 'listening', port: bound })}\n`);
});
process.on('SIGTERM', () => wss.close(() => process.exit(0)));
