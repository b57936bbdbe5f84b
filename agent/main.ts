// `regvault`: the headless Regvault agent for pipelines. Parses the command line, opens the sealed
// state with REGVAULT_AGENT_KEY, syncs, runs the command, and exits with a documented code.
import { parseCli, USAGE, type CliArgs } from './cli-args';
import { credentialsOf, findCredential, pickCredentials } from './credentials';
import { openDevice, secretsOfState } from './device';
import { dockerLogin } from './docker-login';
import { describeAge } from './durations';
import { AgentError, exitCodes, type ExitCode } from './exit-codes';
import { joinVault } from './join';
import { processOutput, type Output } from './output';
import { checkCredentials, exportEnv, exportK8s, getCredential } from './read-commands';
import { refreshState } from './refresh';
import { agentKeyFrom, loadState, statePathOf, type StateLocation } from './state-file';
import type { AgentState } from './state-schema';
import { AGENT_VERSION } from './version';

function locationOf(args: CliArgs): StateLocation {
  return {
    path: statePathOf(args.state, process.env),
    key: agentKeyFrom(process.env),
    inline: process.env['REGVAULT_AGENT_STATE'],
  };
}

/** Opens the state and syncs it as the options say. */
async function freshState(args: CliArgs, output: Output): Promise<AgentState> {
  const location = locationOf(args);
  const state = await loadState(location);
  const device = openDevice(secretsOfState(state));
  const policy = { offline: args.offline, maxAgeMs: args.maxAgeMs, timeoutMs: args.timeoutMs };
  return (await refreshState(location, state, device, policy, output)).state;
}

async function join(args: CliArgs, output: Output): Promise<void> {
  const code = args.command[0] === 'join' ? args.command[1] : args.command[2];
  if (!code || !args.name)
    throw new AgentError(
      exitCodes.usage,
      'Usage: regvault agent join <invitation-code> --name "GitHub Actions — api repo"',
    );
  const existingKey = process.env['REGVAULT_AGENT_KEY'] ? agentKeyFrom(process.env) : null;
  const statePath = statePathOf(args.state, process.env);
  const joined = await joinVault({ code, name: args.name, statePath, existingKey, waitMs: args.waitMs, output });
  output.data({
    vault: joined.vaultName,
    stateFile: statePath,
    ...(joined.agentKey ? { agentKey: joined.agentKey } : {}),
  });
  if (output.json) return;
  process.stderr.write(`Joined '${joined.vaultName}'. State written to ${statePath}.\n`);
  if (joined.agentKey) {
    process.stderr.write(
      'The agent key follows. It is shown only this once: store it as the CI secret REGVAULT_AGENT_KEY, with the state file (or its contents as REGVAULT_AGENT_STATE).\n',
    );
    process.stdout.write(`${joined.agentKey}\n`);
  }
}

async function status(args: CliArgs, output: Output): Promise<void> {
  const state = await freshState(args, output);
  const credentials = credentialsOf(state);
  const vaults = state.vaults.map((v) => ({
    vault: v.vaultName,
    relay: v.relayUrl,
    syncedAgoMs: Date.now() - v.syncedAt,
    registries: credentials
      .filter((c) => c.vaultName === v.vaultName)
      .map((c) => ({ registry: c.registry, username: c.username })),
  }));
  output.data({ name: state.name, vaults });
  output.result(`Agent "${state.name}"`);
  for (const v of vaults) {
    output.result(`'${v.vault}' (${v.relay}), synced ${describeAge(v.syncedAgoMs)} ago`);
    for (const r of v.registries) output.result(`  ${r.registry}: ${r.username}`);
  }
}

async function run(args: CliArgs, output: Output): Promise<ExitCode> {
  const [command, sub] = args.command;
  if (args.version) {
    process.stdout.write(`regvault ${AGENT_VERSION}\n`);
    return exitCodes.ok;
  }
  if (args.help || command === undefined || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined && !args.help ? exitCodes.usage : exitCodes.ok;
  }
  if ((command === 'agent' && sub === 'join') || command === 'join') {
    await join(args, output);
    return exitCodes.ok;
  }
  if (command === 'sync') {
    const state = await freshState(args, output);
    output.data({ vaults: state.vaults.map((v) => ({ vault: v.vaultName, syncedAt: v.syncedAt })) });
    for (const v of state.vaults) output.result(`'${v.vaultName}': synced ${describeAge(Date.now() - v.syncedAt)} ago`);
    return exitCodes.ok;
  }
  if (command === 'status') {
    await status(args, output);
    return exitCodes.ok;
  }
  if (command === 'docker' && sub === 'login') {
    const credentials = pickCredentials(credentialsOf(await freshState(args, output)), args.command.slice(2));
    const done = await dockerLogin({
      credentials,
      helper: args.helper,
      ...(args.config ? { configDir: args.config } : {}),
      output,
    });
    output.data({ config: done.path, registries: done.registries, helper: args.helper });
    return exitCodes.ok;
  }
  if (command === 'get') {
    if (!sub || args.command.length > 2)
      throw new AgentError(exitCodes.usage, 'Usage: regvault get REGISTRY [--field username|password]');
    getCredential(findCredential(credentialsOf(await freshState(args, output)), sub), args.field, output);
    return exitCodes.ok;
  }
  if (command === 'export') {
    if (args.format !== 'k8s' && args.format !== 'env')
      throw new AgentError(exitCodes.usage, 'Usage: regvault export --format k8s|env REGISTRY…');
    const credentials = pickCredentials(credentialsOf(await freshState(args, output)), args.command.slice(1));
    process.stdout.write(
      args.format === 'env' ? exportEnv(credentials) : exportK8s(credentials, args.secretName, args.namespace),
    );
    return exitCodes.ok;
  }
  if (command === 'check') {
    const credentials = pickCredentials(credentialsOf(await freshState(args, output)), args.command.slice(1));
    const reports = await checkCredentials(credentials, output);
    output.data({ checks: reports });
    return reports.every((r) => r.ok) ? exitCodes.ok : exitCodes.loginFailed;
  }
  throw new AgentError(exitCodes.usage, `Unknown command "${args.command.join(' ')}".\n${USAGE}`);
}

async function main(): Promise<void> {
  let output = processOutput(process.argv.includes('--json'));
  try {
    const args = parseCli(process.argv.slice(2));
    output = processOutput(args.json);
    process.exitCode = await run(args, output);
  } catch (error) {
    if (error instanceof AgentError) {
      if (output.json) process.stdout.write(`${JSON.stringify({ error: error.message, exitCode: error.exitCode })}\n`);
      process.stderr.write(`regvault: ${error.message}\n`);
      process.exitCode = error.exitCode;
      return;
    }
    process.stderr.write(`regvault: unexpected failure: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = exitCodes.failed;
  }
}

void main();
