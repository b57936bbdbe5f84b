// The registry credentials in the agent's synced copy, and picking the ones a command names.
import * as Y from 'yjs';
import { decodeBase64 } from '../shared/crypto/bytes';
import { listEntries } from '../shared/entries';
import { toRegistryKey } from '../shared/registry/registry-key';
import { AgentError, exitCodes } from './exit-codes';
import type { AgentState } from './state-schema';

/** One credential and where it comes from. Holds the secret: never log it. */
export type AgentCredential = Readonly<{
  registry: string;
  name: string;
  username: string;
  secret: string;
  email?: string;
  insecure?: boolean;
  caCertificate?: string;
  vaultName: string;
}>;

/** Every credential of every vault in the state (the first vault wins where two hold a registry). */
export function credentialsOf(state: AgentState): AgentCredential[] {
  const found = new Map<string, AgentCredential>();
  for (const vault of state.vaults) {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, decodeBase64(vault.doc));
    for (const entry of listEntries(doc).entries) {
      if (found.has(entry.registry)) continue;
      found.set(entry.registry, {
        registry: entry.registry,
        name: entry.name,
        username: entry.username,
        secret: entry.secret,
        vaultName: vault.vaultName,
        ...(entry.email === undefined ? {} : { email: entry.email }),
        ...(entry.insecure === undefined ? {} : { insecure: entry.insecure }),
        ...(entry.caCertificate === undefined ? {} : { caCertificate: entry.caCertificate }),
      });
    }
    doc.destroy();
  }
  return [...found.values()];
}

/** The registry key of a command-line argument; a usage error says why it is not one. */
export function registryKeyOf(input: string): string {
  const read = toRegistryKey(input);
  if (!read.ok)
    throw new AgentError(
      exitCodes.usage,
      `"${input}" is not a registry: ${read.reason}${read.hint ? ` (${read.hint})` : ''}`,
    );
  return read.key;
}

/** The credential for one registry, or the exit-6 failure naming what the agent holds. */
export function findCredential(all: readonly AgentCredential[], input: string): AgentCredential {
  const key = registryKeyOf(input);
  const found = all.find((c) => c.registry === key);
  if (found) return found;
  const held = all.map((c) => c.registry).join(', ') || 'none';
  throw new AgentError(
    exitCodes.notFound,
    `No credential for ${key} in this agent's vaults (it holds: ${held}): add one in the app, or ask the vault's admin.`,
  );
}

/** The credentials a command names (all of them when it names none). */
export function pickCredentials(all: readonly AgentCredential[], inputs: readonly string[]): AgentCredential[] {
  if (inputs.length === 0) {
    if (all.length === 0)
      throw new AgentError(exitCodes.notFound, "This agent's vaults hold no credential yet: add one in the app.");
    return [...all];
  }
  return inputs.map((input) => findCredential(all, input));
}
