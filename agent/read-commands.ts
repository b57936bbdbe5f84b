// The commands that hand a credential to the job: `get` (one field, for --password-stdin), `export`
// (a Kubernetes pull secret or env lines) and `check` (the login check, headless).
import { checkLogin } from '../electron/services/registry-check';
import { exportImagePullSecret } from '../electron/services/kube-secret';
import type { AgentCredential } from './credentials';
import { AgentError, exitCodes } from './exit-codes';
import type { Output } from './output';

/** The field `get` prints. */
export type GetField = 'username' | 'password';

/** `get`: the one field (stdout, newline-terminated), or with --json the credential as an object. */
export function getCredential(credential: AgentCredential, field: GetField, output: Output): void {
  if (output.json) {
    output.data({ registry: credential.registry, username: credential.username, password: credential.secret });
    return;
  }
  process.stdout.write(`${field === 'username' ? credential.username : credential.secret}\n`);
}

/** A variable name part for a registry: `ghcr.io` → `GHCR_IO`. */
function envName(registry: string): string {
  const host = registry === 'https://index.docker.io/v1/' ? 'docker.io' : registry;
  return host
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

function quoteShell(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** `export --format env`: `REGVAULT_<HOST>_USERNAME/_PASSWORD/_REGISTRY` lines, shell-quoted. */
export function exportEnv(credentials: readonly AgentCredential[]): string {
  return credentials
    .flatMap((c) => {
      const prefix = `REGVAULT_${envName(c.registry)}`;
      return [
        `${prefix}_REGISTRY=${quoteShell(c.registry)}`,
        `${prefix}_USERNAME=${quoteShell(c.username)}`,
        `${prefix}_PASSWORD=${quoteShell(c.secret)}`,
      ];
    })
    .map((line) => `${line}\n`)
    .join('');
}

/** `export --format k8s`: the same Secret manifest as the app's Kubernetes export. */
export function exportK8s(credentials: readonly AgentCredential[], name: string, namespace?: string): string {
  const manifest = exportImagePullSecret(credentials, { name, ...(namespace === undefined ? {} : { namespace }) });
  if (!manifest.ok) throw new AgentError(exitCodes.usage, manifest.error.message);
  return manifest.value;
}

/** One registry's check verdict, as printed (never the secret). */
export type CheckReport = Readonly<{ registry: string; ok: boolean; code: string; message: string; hint: string }>;

/** `check`: logs in to each registry; the reports, and whether all logged in. */
export async function checkCredentials(
  credentials: readonly AgentCredential[],
  output: Output,
): Promise<CheckReport[]> {
  const reports: CheckReport[] = [];
  for (const c of credentials) {
    output.note(`Checking ${c.registry}…`);
    const result = await checkLogin({
      registry: c.registry,
      username: c.username,
      secret: c.secret,
      ...(c.insecure === undefined ? {} : { insecure: c.insecure }),
      ...(c.caCertificate === undefined ? {} : { caCertificate: c.caCertificate }),
    });
    const report = {
      registry: c.registry,
      ok: result.ok,
      code: result.code,
      message: result.message,
      hint: result.hint,
    };
    reports.push(report);
    output.result(
      result.ok ? `${c.registry}: logs in as ${c.username}` : `${c.registry}: ${result.message} ${result.hint}`,
    );
  }
  return reports;
}
