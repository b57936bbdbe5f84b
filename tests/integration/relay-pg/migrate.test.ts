// `relay migrate-from-sqlite`: a SQLite relay's vault (envelopes, a snapshot, member records, a grant)
// copied into PostgreSQL is served by a PostgreSQL relay on the same address with the same sequence
// numbers, and the devices that synced with the old relay carry on without a rollback.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inject, expect, test } from 'vitest';
import { editDoc } from '../../support/replicas';
import { createDatabaseAt } from '../../support/postgres';
import { createTestVault, startLinkedClients, waitConverged } from '../sync/clients';
import { readVault, removeDataDir, startRelayProcess, waitSynced } from '../sync/harness';
import { createPrng } from '../sync/network';

const repoRoot = join(import.meta.dirname, '..', '..', '..');

test('a SQLite relay migrated into PostgreSQL serves the same log; its devices carry on', async () => {
  const prng = createPrng(5);
  const sqlite = await startRelayProcess({ database: null });
  const vault = await createTestVault();
  const clients = await startLinkedClients({ relayUrl: sqlite.url, vault, extra: 1, options: { snapshotEvery: 10 } });
  for (let i = 0; i < 60; i++) {
    editDoc(prng.pick(clients).client.doc, prng, `before-${i}`);
    await new Promise((resolve) => setImmediate(resolve)); // one envelope per edit: snapshots get written
  }
  await Promise.all(clients.map((c) => waitSynced(c.client.engine)));
  await waitConverged(clients.map((c) => c.client.doc));
  const before = await readVault(sqlite.url, vault.owner, vault.vaultId);
  for (const c of clients) await c.stop();
  await sqlite.kill('SIGTERM');

  const adminUrl = inject('relayPostgresAdminUrl') ?? '';
  const database = await createDatabaseAt(adminUrl);
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      '--import',
      'tsx',
      'relay/main.ts',
      'migrate-from-sqlite',
      join(sqlite.dataDir, 'relay.sqlite3'),
      '--database',
      database,
    ],
    { cwd: repoRoot },
  );
  expect(JSON.parse(stdout.trim())).toMatchObject({
    event: 'migrated',
    vaults: 1,
    members: 2,
    snapshots: 1,
    grants: 1,
    invitations: 0,
  });

  // On the old address: the devices signed it, and nothing tells them the store changed.
  const pg = await startRelayProcess({ database, args: ['--port', String(sqlite.port)] });
  try {
    const after = await readVault(pg.url, vault.owner, vault.vaultId);
    expect(after.head).toBe(before.head);
    expect(after.envs).toEqual(before.envs);
    for (const c of clients) await c.restart();
    for (let i = 0; i < 10; i++) editDoc(prng.pick(clients).client.doc, prng, `after-${i}`);
    await Promise.all(clients.map((c) => waitSynced(c.client.engine)));
    await waitConverged(clients.map((c) => c.client.doc));
    for (const c of clients) expect(c.client.doc.getMap('ops').size).toBe(70);
    expect((await readVault(pg.url, vault.owner, vault.vaultId)).head).toBeGreaterThan(before.head);
    for (const c of clients) await c.stop();
  } finally {
    await pg.kill();
    removeDataDir(pg);
    removeDataDir(sqlite);
  }
});
