// Entry point of `npm run relay`: parses the options, starts the relay and prints one JSON line
// `{"event":"listening",...}` to stdout (tests and supervisors read the bound port from it).
// `npm run relay -- migrate-from-sqlite <file> --database <url>` copies a SQLite relay into PostgreSQL.
import { parseRelayConfig } from './config';
import { migrateFromSqlite } from './migrate';
import { startRelay } from './server';

async function migrateCommand(args: readonly string[]): Promise<void> {
  const [file, ...rest] = args;
  const config = parseRelayConfig(rest, process.env);
  if (!file || config.database === null)
    throw new Error('usage: relay migrate-from-sqlite <relay.sqlite3> --database postgres://…');
  const report = await migrateFromSqlite(file, config.database);
  process.stdout.write(`${JSON.stringify({ event: 'migrated', from: file, ...report })}\n`);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === 'migrate-from-sqlite') return migrateCommand(argv.slice(1));
  const config = parseRelayConfig(argv, process.env);
  const relay = await startRelay(config);
  process.stdout.write(
    `${JSON.stringify({ event: 'listening', host: relay.host, port: relay.port, publicUrl: relay.publicUrl, metricsPort: relay.metricsPort, dataDir: config.dataDir, durability: config.durability, database: config.database === null ? 'sqlite' : 'postgres', tls: config.tls !== null })}\n`,
  );
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    relay.close().then(
      () => {
        process.stdout.write(`${JSON.stringify({ event: 'stopped', signal })}\n`);
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`relay: shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`relay: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
