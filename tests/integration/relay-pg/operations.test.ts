// Operating a PostgreSQL relay: /healthz is ready only while the database answers, /metrics speaks
// Prometheus text with the relay's own metrics on its own listener only (never on the public port), logs are JSON lines without the database password or
// any ciphertext, and SIGTERM drains: clients are told "going away" (1001), nothing acknowledged is lost.
import { expect, test } from 'vitest';
import { systemClock } from '../../../shared/sync/ports';
import { openRelayConnection } from '../../../shared/sync/relay-connection';
import { startPostgres } from '../../support/postgres';
import { createTestVault, sealedTestEnvelope } from '../sync/clients';
import { connectNodeSocket, openRawSession, readVault, removeDataDir, startRelayProcess } from '../sync/harness';

const httpOf = (relay: { port: number }, path: string) => fetch(`http://127.0.0.1:${relay.port}${path}`);

const sealed = sealedTestEnvelope;

test('healthz follows the database, metrics count commits and errors, logs hold no secret, SIGTERM drains', async () => {
  // A cluster of its own: this test stops it. Trust authentication ignores the password; the logs must not show it.
  const cluster = await startPostgres();
  const database = (await cluster.createDatabase()).replace('regvault@', 'regvault:s3cret-pw@');
  const relay = await startRelayProcess({ database, args: ['--metrics-listen', '127.0.0.1:0'] });
  try {
    expect(await (await httpOf(relay, '/healthz')).json()).toEqual({ ready: true, database: 'postgres' });
    const vault = await createTestVault();
    const { session } = await openRawSession(relay.url, vault.owner);
    await session.request({ t: 'register', record: vault.genesis });
    const ciphertexts: string[] = [];
    for (let counter = 1; counter <= 5; counter++) {
      const env = await sealed(vault, counter);
      ciphertexts.push(env.ciphertext);
      expect(await session.request({ t: 'publish', env })).toMatchObject({ t: 'ack', seq: counter });
    }
    await expect(session.request({ t: 'subscribe', vault: 'not-a-vault', from: 0 })).rejects.toThrow();

    // The public port does not serve metrics; the metrics listener (loopback, its own port) does.
    const onPublic = await httpOf(relay, '/metrics');
    expect(onPublic.status).toBe(426);
    expect(await onPublic.text()).not.toContain('regvault_relay');
    if (relay.metricsPort === null) throw new Error('the relay did not announce its metrics port');
    const metrics = await (await httpOf({ port: relay.metricsPort }, '/metrics')).text();
    expect(metrics).toMatch(/^regvault_relay_connections 1$/m);
    expect(metrics).toMatch(/^regvault_relay_envelopes_committed_total 5$/m);
    expect(metrics).toMatch(/^regvault_relay_commit_seconds_count\{result="ok"\} 5$/m);
    expect(metrics).toMatch(/^regvault_relay_errors_total\{code="\d+"\} 1$/m);
    expect(metrics).toMatch(/^regvault_relay_db_pool_connections\{state="total"\} \d+$/m);

    // SIGTERM: the connected client hears "going away" and the relay stops cleanly.
    let closed: (message: string) => void = () => undefined;
    const closedWith = new Promise<string>((resolve) => (closed = resolve));
    await openRelayConnection({
      url: relay.url,
      connect: connectNodeSocket,
      signer: vault.owner,
      clock: systemClock,
      onClose: (_code, message) => closed(message),
    });
    session.close();
    await relay.kill('SIGTERM');
    expect(await closedWith).toMatch(/1001/);
    const events = relay.output.map((line) => (JSON.parse(line) as { event: string }).event);
    expect(events).toContain('stopped');

    await relay.restart();
    expect((await readVault(relay.url, vault.owner, vault.vaultId)).head).toBe(5);
    cluster.stop();
    const down = await httpOf(relay, '/healthz');
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ ready: false, database: 'postgres' });
    for (const line of relay.output) {
      expect(line).not.toContain('s3cret-pw');
      for (const ciphertext of ciphertexts) expect(line).not.toContain(ciphertext.slice(0, 24));
    }
  } finally {
    await relay.kill('SIGKILL');
    removeDataDir(relay);
  }
});
