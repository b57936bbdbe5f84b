/**
 * Refresh commands (issue #17): a local command that prints a fresh short-lived token on stdout. The
 * command is per device and never part of a synced document; this module only shapes and checks it
 * (argument vector, presets, schedule). Running it is main's job (electron/services/token-refresh).
 */
import { z } from 'zod';
import { fail, ok, type Failure, type Result } from '../result';
import { ACR_TOKEN_USERNAME, type PresetId } from '../registry/presets';

const HOUR = 3_600_000;

/** Most arguments a refresh command may have. */
export const MAX_ARGS = 64;

/** Longest single argument, in characters. */
export const MAX_ARG_LENGTH = 4096;

/** Schema of an argument vector: the program and its arguments, no shell in between. */
export const argvSchema = z.array(z.string().min(1).max(MAX_ARG_LENGTH)).min(1).max(MAX_ARGS);

/** What refreshes an entry's token on this device: the command, the lifetime of what it prints, and what was approved. */
export type RefreshCommand = Readonly<{
  argv: readonly string[];
  /** How long a printed token lives; the next refresh is due at 90 % of it. */
  lifetimeMs?: number;
  /** The exact argument vector this device's user allowed; the command runs only while it equals `argv`. */
  approvedArgv?: readonly string[];
  /** The registry key the command was allowed for: its token is never saved into (or sent to) another registry. */
  registry?: string;
}>;

/** A refresh preset: the command, the username the registry expects with its token, and the token's life. */
export type RefreshPreset = Readonly<{ argv: readonly string[]; username: string; lifetimeMs: number; tool: string }>;

/** The share of a token's life after which it is refreshed. */
export const REFRESH_AT_FRACTION = 0.9;

/** Why a command line could not be read. */
export type CommandLineFailure = Failure<'empty-command' | 'unclosed-quote' | 'command-too-long'>;

/**
 * Splits a typed command line into an argument vector: whitespace separates, single and double quotes
 * group, a backslash escapes the next character. Nothing is expanded ($VAR, globs, ~): it never
 * reaches a shell.
 */
export function parseCommandLine(text: string): Result<string[], CommandLineFailure> {
  const args: string[] = [];
  let current: string | null = null;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const char = text[i] ?? '';
    if (quote !== null) {
      if (char === quote) quote = null;
      else if (char === '\\' && quote === '"' && i + 1 < text.length) current += text[++i] ?? '';
      else current += char;
    } else if (/\s/.test(char)) {
      if (current !== null) args.push(current);
      current = null;
    } else if (char === '"' || char === "'") {
      quote = char;
      current ??= '';
    } else if (char === '\\' && i + 1 < text.length) {
      current = (current ?? '') + (text[++i] ?? '');
    } else {
      current = (current ?? '') + char;
    }
  }
  if (quote !== null) return fail('unclosed-quote', 'Close the quote in the refresh command.');
  if (current !== null) args.push(current);
  if (args.length === 0 || args[0] === '') return fail('empty-command', 'Enter the command that prints a token.');
  if (!argvSchema.safeParse(args).success) {
    return fail('command-too-long', `Use at most ${MAX_ARGS} arguments of up to ${MAX_ARG_LENGTH} characters.`);
  }
  return ok(args);
}

/** Writes an argument vector back as a command line that `parseCommandLine` reads as the same vector. */
export function formatCommandLine(argv: readonly string[]): string {
  return argv.map((arg) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'"'"'`)}'`)).join(' ');
}

/** True when two argument vectors are the same, argument for argument. */
export function sameArgv(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  return a !== undefined && b !== undefined && a.length === b.length && a.every((arg, i) => arg === b[i]);
}

/** True when the command may run: this device's user allowed exactly this argument vector. */
export function isApproved(command: RefreshCommand | undefined): command is RefreshCommand {
  return command !== undefined && sameArgv(command.argv, command.approvedArgv);
}

const ECR_REGION = /^[^.]+\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;
const ACR_NAME = /^([^.]+)\.azurecr\.(?:io|cn|us)$/;

/**
 * The refresh command a registry's preset suggests (issue #17): ECR `aws ecr get-login-password`, ACR
 * with an Entra token `az acr login --expose-token`, Artifact Registry / GCR `gcloud auth
 * print-access-token`; undefined for registries whose tokens are not fetched by a command.
 */
export function refreshPresetFor(presetId: PresetId | undefined, registryKey: string): RefreshPreset | undefined {
  const host = registryKey.replace(/:\d+$/, '');
  switch (presetId) {
    case 'ecr': {
      const region = ECR_REGION.exec(host)?.[1] ?? '<region>';
      return {
        tool: 'aws',
        argv: ['aws', 'ecr', 'get-login-password', '--region', region],
        username: 'AWS',
        lifetimeMs: 12 * HOUR,
      };
    }
    case 'acr':
    case 'acr-entra': {
      const name = ACR_NAME.exec(host)?.[1] ?? '<name>';
      const argv = [
        'az',
        'acr',
        'login',
        '--name',
        name,
        '--expose-token',
        '--output',
        'tsv',
        '--query',
        'accessToken',
      ];
      return { tool: 'az', argv, username: ACR_TOKEN_USERNAME, lifetimeMs: 3 * HOUR };
    }
    case 'gcr':
      return {
        tool: 'gcloud',
        argv: ['gcloud', 'auth', 'print-access-token'],
        username: 'oauth2accesstoken',
        lifetimeMs: HOUR,
      };
    default:
      return undefined;
  }
}

/** When a token set at `setAt` that expires at `expiresAt` is refreshed: at 90 % of its life. */
export function refreshDueAt(setAt: number, expiresAt: number): number {
  return setAt + Math.max(0, expiresAt - setAt) * REFRESH_AT_FRACTION;
}
