// The command line of `regvault`: one parse (node:util parseArgs) for every command, and the usage text.
import { parseArgs } from 'node:util';
import { parseDuration } from './durations';
import { AgentError, exitCodes } from './exit-codes';

/** Everything a command may be given. */
export type CliArgs = Readonly<{
  command: readonly string[];
  json: boolean;
  state?: string;
  maxAgeMs: number | null;
  timeoutMs: number;
  offline: boolean;
  helper: boolean;
  config?: string;
  field: 'username' | 'password';
  format?: string;
  secretName: string;
  namespace?: string;
  name?: string;
  waitMs: number;
  help: boolean;
  version: boolean;
}>;

/** The usage text (`regvault --help`). */
export const USAGE = `Usage: regvault <command> [options]

Commands:
  agent join <invitation-code> --name NAME   join a vault as this pipeline's agent (prints the agent key once)
  sync                                       sync every vault with its relay and store the sealed copy
  status                                     vaults, when they were synced, and the registries held (no secret)
  docker login [REGISTRY…] [--helper]        write Docker's config.json as docker login does
                                             (--helper: route to docker-credential-regvault, no secret in the file)
  get REGISTRY [--field username|password]   print one field (for docker login --password-stdin)
  export --format k8s|env REGISTRY…          print a Kubernetes pull secret (--secret-name, --namespace) or env lines
  check [REGISTRY…]                          log in to each registry; exit 7 when one no longer logs in

Options:
  --state FILE      (or --state-file) the agent state file (default: REGVAULT_AGENT_STATE_FILE, else ~/.config/regvault/agent-state.json)
  --max-age DUR     fail instead of using a copy older than DUR when the relay is down (e.g. 1h, 30m)
  --offline         do not contact the relay; use the copy
  --timeout DUR     how long a sync may take (default 30s)
  --json            one JSON object on stdout
  --wait DUR        agent join: how long to wait for the admin (default 10m)

Environment: REGVAULT_AGENT_KEY (required), REGVAULT_AGENT_STATE (the state file's contents, or a path to them,
when the state file is absent), REGVAULT_AGENT_STATE_FILE (the state file), REGVAULT_MAX_AGE (the helper's --max-age).
Exit codes: 0 ok, 1 failed, 2 usage, 3 key/state, 4 relay down and no usable copy, 5 removed, 6 not found,
7 login check failed, 8 sync refused, 9 Docker config, 10 join.`;

function duration(flag: string, text: string | undefined, fallback: number | null): number | null {
  if (text === undefined) return fallback;
  const ms = parseDuration(text);
  if (ms === null)
    throw new AgentError(exitCodes.usage, `${flag} ${text} is not a duration: use e.g. 90s, 30m, 1h or 2d.`);
  return ms;
}

/** Parses argv (without node and the script). */
export function parseCli(argv: readonly string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean' },
        state: { type: 'string' },
        'state-file': { type: 'string' },
        'max-age': { type: 'string' },
        timeout: { type: 'string' },
        offline: { type: 'boolean' },
        helper: { type: 'boolean' },
        config: { type: 'string' },
        field: { type: 'string' },
        format: { type: 'string' },
        'secret-name': { type: 'string' },
        namespace: { type: 'string' },
        name: { type: 'string' },
        wait: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    throw new AgentError(exitCodes.usage, `${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  const field = values.field ?? 'password';
  if (field !== 'username' && field !== 'password')
    throw new AgentError(exitCodes.usage, `--field ${field}: use username or password.`);
  return {
    command: positionals,
    json: values.json ?? false,
    ...(values.state === undefined && values['state-file'] === undefined
      ? {}
      : { state: values.state ?? values['state-file'] }),
    maxAgeMs: duration('--max-age', values['max-age'], null),
    timeoutMs: duration('--timeout', values.timeout, 30_000) ?? 30_000,
    offline: values.offline ?? false,
    helper: values.helper ?? false,
    ...(values.config === undefined ? {} : { config: values.config }),
    field,
    ...(values.format === undefined ? {} : { format: values.format }),
    secretName: values['secret-name'] ?? 'regvault-pull-secret',
    ...(values.namespace === undefined ? {} : { namespace: values.namespace }),
    ...(values.name === undefined ? {} : { name: values.name }),
    waitMs: duration('--wait', values.wait, 600_000) ?? 600_000,
    help: values.help ?? false,
    version: values.version ?? false,
  };
}
