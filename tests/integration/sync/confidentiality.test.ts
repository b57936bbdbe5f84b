// The relay never sees plaintext: after a sync with snapshots and a linked device, neither the files
// in its data dir nor a dump of every table (all columns, all bytes) contain any of the entry values.
import Database from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import * as Y from 'yjs';
import { createTestVault, startLinkedClients, waitConverged } from './clients';
import { removeDataDir, startRelayProcess, waitSynced, type RelayProcess } from './harness';

let relay: RelayProcess;
beforeAll(async () => {
  relay = await startRelayProcess();
});
afterAll(async () => {
  await relay.kill();
  removeDataDir(relay);
});

const secrets = {
  registry: 'registry.acme-corp.example:5443',
  username: 'robot$deploy-bot',
  secret: 'ghp_S3cr3tT0kenValue1234567890abcdef',
  notes: 'rotate after the Q3 audit',
  email: 'ops-team@acme-corp.example',
};
const needles = [...Object.values(secrets), 'entries', 'displayName'];

function dumpDatabase(path: string): { bytes: Buffer; rows: Record<string, number> } {
  const db = new Database(path, { readonly: true });
  const parts: Buffer[] = [];
  const rows: Record<string, number> = {};
  const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all();
  for (const { name } of tables) {
    const all = db.prepare<[], Record<string, unknown>>(`SELECT * FROM "${name}"`).all();
    rows[name] = all.length;
    for (const row of all) {
      for (const value of Object.values(row)) {
        parts.push(Buffer.isBuffer(value) ? value : Buffer.from(String(value), 'utf8'));
      }
    }
  }
  db.close();
  return { bytes: Buffer.concat(parts), rows };
}

test('the relay database and files hold none of the plaintext', async () => {
  const vault = await createTestVault();
  const clients = await startLinkedClients({ relayUrl: relay.url, vault, extra: 1, options: { snapshotEvery: 10 } });
  const [a, b] = clients;
  if (!a || !b) throw new Error('clients missing');
  const entries = a.client.doc.getMap<Y.Map<string>>('entries');
  for (let i = 0; i < 25; i++) {
    a.client.doc.transact(() => {
      const entry = new Y.Map<string>();
      entries.set(`id-${i}`, entry);
      entry.set('displayName', `${secrets.registry} #${i}`);
      for (const [field, value] of Object.entries(secrets)) entry.set(field, value);
    });
    await a.client.engine.flush();
  }
  await waitSynced(a.client.engine);
  await waitConverged([a.client.doc, b.client.doc]);
  expect(JSON.stringify(b.client.doc.getMap('entries').toJSON())).toContain(secrets.secret);

  const files = readdirSync(relay.dataDir).map((name) => readFileSync(join(relay.dataDir, name)));
  for (const c of clients) await c.stop();
  await relay.kill('SIGTERM');
  const { bytes, rows } = dumpDatabase(join(relay.dataDir, 'relay.sqlite3'));
  expect(rows.snapshots).toBe(1);
  expect(rows.grants).toBe(1);
  expect(rows.members).toBe(2);
  expect(rows.vaults).toBe(1);
  // The snapshot let the relay prune what it covers.
  expect(rows.envelopes).toBeLessThan(25);
  expect(bytes.length).toBeGreaterThan(5_000);
  // Positive control: the dump does hold the (public) vault id as text.
  expect(bytes.includes(Buffer.from(vault.vaultId, 'utf8'))).toBe(true);
  const haystacks = [
    bytes,
    ...files,
    ...readdirSync(relay.dataDir).map((name) => readFileSync(join(relay.dataDir, name))),
  ];
  for (const needle of needles) {
    for (const haystack of haystacks) {
      expect(haystack.includes(Buffer.from(needle, 'utf8'))).toBe(false);
      expect(haystack.includes(Buffer.from(needle, 'utf16le'))).toBe(false);
    }
  }
});
