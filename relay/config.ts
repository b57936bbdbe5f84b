// Relay settings from command-line flags and environment variables (flags win).
import { resolve } from 'node:path';
import { z } from 'zod';
import { checkRelayUrl } from '../shared/sync/relay-url';
import { defaultLimits, limitOptionsSchema, readAllowedDevices, type RelayLimits } from './limits';

/** Settings of one relay process. */
export type RelayConfig = Readonly<{
  host: string;
  port: number;
  dataDir: string;
  maxFrameBytes: number;
  /**
   * SQLite `synchronous` level. `full` (default) fsyncs the WAL before every acknowledgement, so an
   * acknowledged envelope survives power loss; `normal` survives a killed process but not power loss.
   */
  durability: 'full' | 'normal';
  /**
   * Browser origins allowed to connect. A browser always sends `Origin`; the app's renderer is
   * `app://regvault`, so any other web page is refused. Clients that are not browsers send none.
   */
  allowedOrigins: readonly string[];
  /**
   * The address clients connect to (canonical). Devices sign it into their authentication and the
   * relay accepts only its own, so another relay cannot pass this relay's challenge on. Null: a
   * loopback relay derives `ws://host:port/` from where it listens (`resolvePublicUrl`).
   */
  publicUrl: string | null;
  /** Deadlines, sizes, counts and rates a connection must keep to (relay/limits.ts). */
  limits: RelayLimits;
  /** `postgres://…` to store everything in PostgreSQL (several relay nodes may share it); null: SQLite in `dataDir`. */
  database: string | null;
  /** Connections the PostgreSQL pool may open. */
  databasePoolSize: number;
  /** PEM certificate chain and private key files: serve `wss://` directly. Both or neither. */
  tls: Readonly<{ cert: string; key: string }> | null;
  /** Where GET /metrics is served (`host:port`, its own listener); null: nowhere. Never on the public port. */
  metricsListen: Readonly<{ host: string; port: number }> | null;
}>;

/** The origin of Regvault's own renderer (the `app://` scheme of electron/security.ts). */
export const appOrigin = 'app://regvault';

const configSchema = z.strictObject({
  host: z.string().min(1),
  port: z.coerce.number().int().min(0).max(65535),
  dataDir: z.string().min(1),
  maxFrameBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .max(256 * 1024 * 1024),
  durability: z.enum(['full', 'normal']),
  allowedOrigins: z
    .string()
    .transform((list) => list.split(',').map((origin) => origin.trim()))
    .pipe(z.array(z.string().regex(/^[a-z][a-z0-9+.-]*:\/\/[^/\s]+$/i, 'an origin is scheme://host[:port]'))),
  publicUrl: z
    .string()
    .transform((url, context) => {
      const checked = checkRelayUrl(url);
      if (checked.ok) return checked.value;
      context.addIssue({ code: 'custom', message: checked.error.message });
      return z.NEVER;
    })
    .nullable(),
  database: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'a PostgreSQL URL starts with postgres://')
    .nullable(),
  databasePoolSize: z.coerce.number().int().min(1).max(1000),
  tlsCert: z.string().min(1).nullable(),
  tlsKey: z.string().min(1).nullable(),
  metricsListen: z
    .string()
    .regex(/^(\[[0-9a-f:.]+\]|[^:\s]+):\d{1,5}$/i, 'host:port, e.g. 127.0.0.1:9464')
    .nullable(),
  ...limitOptionsSchema.shape,
});

const flags = {
  '--host': 'host',
  '--port': 'port',
  '--data-dir': 'dataDir',
  '--max-frame-bytes': 'maxFrameBytes',
  '--durability': 'durability',
  '--allowed-origins': 'allowedOrigins',
  '--public-url': 'publicUrl',
  '--auth-deadline-ms': 'authDeadlineMs',
  '--pre-auth-frame-bytes': 'preAuthFrameBytes',
  '--max-connections-per-address': 'maxConnectionsPerAddress',
  '--max-connections-per-device': 'maxConnectionsPerDevice',
  '--messages-per-second': 'messagesPerSecond',
  '--allowed-devices': 'allowedDevices',
  '--max-cached-vaults': 'maxCachedVaults',
  '--max-vaults-per-device': 'maxVaultsPerDevice',
  '--max-members-per-vault': 'maxMembersPerVault',
  '--max-bytes-per-device': 'maxBytesPerDevice',
  '--database': 'database',
  '--database-pool-size': 'databasePoolSize',
  '--tls-cert': 'tlsCert',
  '--tls-key': 'tlsKey',
  '--metrics-listen': 'metricsListen',
  '--max-invitations-per-device': 'maxInvitationsPerDevice',
  '--full-catch-ups-per-hour': 'fullCatchUpsPerHour',
} as const;

/** Default frame limit: 8 MiB, room for the snapshot of a vault of ~20,000 entries. */
const defaultMaxFrameBytes = 8 * 1024 * 1024;

/** Parses `--flag value` / `--flag=value` arguments over REGVAULT_RELAY_* variables over defaults. */
export function parseRelayConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): RelayConfig {
  const values: Record<string, string | number | null> = {
    host: env.REGVAULT_RELAY_HOST ?? '127.0.0.1',
    port: env.REGVAULT_RELAY_PORT ?? 8787,
    dataDir: env.REGVAULT_RELAY_DATA_DIR ?? './relay-data',
    maxFrameBytes: env.REGVAULT_RELAY_MAX_FRAME_BYTES ?? defaultMaxFrameBytes,
    durability: env.REGVAULT_RELAY_DURABILITY ?? 'full',
    allowedOrigins: env.REGVAULT_RELAY_ALLOWED_ORIGINS ?? appOrigin,
    publicUrl: env.REGVAULT_RELAY_PUBLIC_URL ?? null,
    authDeadlineMs: env.REGVAULT_RELAY_AUTH_DEADLINE_MS ?? defaultLimits.authDeadlineMs,
    preAuthFrameBytes: env.REGVAULT_RELAY_PRE_AUTH_FRAME_BYTES ?? defaultLimits.preAuthFrameBytes,
    maxConnectionsPerAddress: env.REGVAULT_RELAY_MAX_CONNECTIONS_PER_ADDRESS ?? defaultLimits.maxConnectionsPerAddress,
    maxConnectionsPerDevice: env.REGVAULT_RELAY_MAX_CONNECTIONS_PER_DEVICE ?? defaultLimits.maxConnectionsPerDevice,
    messagesPerSecond: env.REGVAULT_RELAY_MESSAGES_PER_SECOND ?? defaultLimits.messagesPerSecond,
    allowedDevices: env.REGVAULT_RELAY_ALLOWED_DEVICES ?? null,
    maxCachedVaults: env.REGVAULT_RELAY_MAX_CACHED_VAULTS ?? defaultLimits.maxCachedVaults,
    maxVaultsPerDevice: env.REGVAULT_RELAY_MAX_VAULTS_PER_DEVICE ?? defaultLimits.quotas.vaultsPerDevice,
    maxMembersPerVault: env.REGVAULT_RELAY_MAX_MEMBERS_PER_VAULT ?? defaultLimits.quotas.membersPerVault,
    maxBytesPerDevice: env.REGVAULT_RELAY_MAX_BYTES_PER_DEVICE ?? defaultLimits.quotas.bytesPerDevice,
    database: env.REGVAULT_RELAY_DATABASE_URL ?? null,
    databasePoolSize: env.REGVAULT_RELAY_DATABASE_POOL_SIZE ?? 10,
    tlsCert: env.REGVAULT_RELAY_TLS_CERT ?? null,
    tlsKey: env.REGVAULT_RELAY_TLS_KEY ?? null,
    metricsListen: env.REGVAULT_RELAY_METRICS_LISTEN ?? null,
    maxInvitationsPerDevice: env.REGVAULT_RELAY_MAX_INVITATIONS_PER_DEVICE ?? defaultLimits.quotas.invitationsPerDevice,
    fullCatchUpsPerHour: env.REGVAULT_RELAY_FULL_CATCH_UPS_PER_HOUR ?? defaultLimits.fullCatchUpsPerHour,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    const key = flags[flag as keyof typeof flags];
    if (!key) throw new Error(`unknown option ${flag}; known: ${Object.keys(flags).join(', ')}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    values[key] = value;
  }
  const parsed = configSchema.safeParse(values);
  if (!parsed.success)
    throw new Error(
      `bad relay option: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const {
    authDeadlineMs,
    preAuthFrameBytes,
    maxConnectionsPerAddress,
    maxConnectionsPerDevice,
    messagesPerSecond,
    maxCachedVaults,
    maxVaultsPerDevice,
    maxMembersPerVault,
    maxBytesPerDevice,
    maxInvitationsPerDevice,
    fullCatchUpsPerHour,
  } = parsed.data;
  const allowedDevices = parsed.data.allowedDevices === null ? null : readAllowedDevices(parsed.data.allowedDevices);
  const config: RelayConfig = {
    host: parsed.data.host,
    port: parsed.data.port,
    dataDir: resolve(parsed.data.dataDir),
    maxFrameBytes: parsed.data.maxFrameBytes,
    durability: parsed.data.durability,
    allowedOrigins: parsed.data.allowedOrigins,
    publicUrl: parsed.data.publicUrl,
    database: parsed.data.database,
    databasePoolSize: parsed.data.databasePoolSize,
    tls: tlsOf(parsed.data.tlsCert, parsed.data.tlsKey),
    metricsListen: hostPortOf(parsed.data.metricsListen),
    limits: {
      authDeadlineMs,
      preAuthFrameBytes,
      maxConnectionsPerAddress,
      maxConnectionsPerDevice,
      messagesPerSecond,
      allowedDevices,
      maxCachedVaults,
      fullCatchUpsPerHour,
      quotas: {
        vaultsPerDevice: maxVaultsPerDevice,
        membersPerVault: maxMembersPerVault,
        bytesPerDevice: maxBytesPerDevice,
        invitationsPerDevice: maxInvitationsPerDevice,
      },
    },
  };
  if (config.publicUrl === null && !deriveLoopbackUrl(config.host, config.port, config.tls !== null).ok) {
    throw new Error(
      `bad relay option: publicUrl: --host ${config.host} is not a loopback address, so --public-url (or REGVAULT_RELAY_PUBLIC_URL) must say the wss:// address clients connect to, e.g. wss://relay.example.com`,
    );
  }
  return config;
}

function hostPortOf(text: string | null): RelayConfig['metricsListen'] {
  if (text === null) return null;
  const at = text.lastIndexOf(':');
  const port = Number(text.slice(at + 1));
  if (port > 65535) throw new Error(`bad relay option: metricsListen: port ${port} is above 65535`);
  return { host: text.slice(0, at).replace(/^\[|\]$/g, ''), port };
}

/** The relay's public URL: the configured one, else `ws://host:port/` of a loopback listen address. */
export function resolvePublicUrl(config: RelayConfig, boundPort: number): string {
  if (config.publicUrl !== null) return config.publicUrl;
  const derived = deriveLoopbackUrl(config.host, boundPort, config.tls !== null);
  if (!derived.ok) throw new Error(`cannot derive the public URL from --host ${config.host}: set --public-url`);
  return derived.value;
}

/** `ws://host:port/` (`wss://` with TLS; canonical) when `host` is a loopback address; refused otherwise. */
function deriveLoopbackUrl(host: string, port: number, tls: boolean) {
  const inUrl = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const url = checkRelayUrl(`${tls ? 'wss' : 'ws'}://${inUrl}:${port}`);
  // A wss:// URL is accepted for any host: only loopback may be derived (elsewhere --public-url says it).
  return url.ok && !isLoopback(host) ? checkRelayUrl(`ws://${inUrl}:${port}`) : url;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);
}

function tlsOf(cert: string | null, key: string | null): RelayConfig['tls'] {
  if (cert === null && key === null) return null;
  if (cert === null || key === null) throw new Error('bad relay option: --tls-cert and --tls-key go together');
  return { cert: resolve(cert), key: resolve(key) };
}
