// Entry point of `npm run relay`: parses the options, starts the relay and prints one JSON line
// `{"event":"listening",...}` to stdout (tests and supervisors read the bound port from it).
import { parseRelayConfig } from './config';
import { startRelay } from './server';

async function main(): Promise<void> {
  const config = parseRelayConfig(process.argv.slice(2), process.env);
  const relay = await startRelay(config);
  process.stdout.write(
    `${JSON.stringify({ event: 'listening', host: relay.host, port: relay.port, publicUrl: relay.publicUrl, dataDir: config.dataDir, durability: config.durability })}\n`,
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
