/**
 * "Test access" to a repository (docs/login-check.md): may this credential pull, push, and is the repository (and
 * a named tag) there? Main process, plain Node like the login check, and it never leaves a blob, upload or tag
 * behind in the registry.
 */
import type { AccessMethod, AccessVerdict } from '../../shared/registry/access-verdict';
import { adviseAccess, describeAccess, parseRepositoryRef } from '../../shared/registry/access-verdict';
import type { LoginCheckCode } from '../../shared/registry/login-check-codes';
import type { TokenExpiry } from '../../shared/registry/token-expiry';
import type { LoginCheckInput } from './registry-check';
import type { AccessFindings } from './registry-check/access-flow';
import { runAccessFlow } from './registry-check/access-flow';
import { runCheck } from './registry-check/check-run';
import { createOutcome } from './registry-check/outcome';
import { resolveTarget } from './registry-check/target';

/** A login check's input and the repository to test, "team/api" or "team/api:v1". */
export type AccessCheckInput = LoginCheckInput & Readonly<{ repository: string }>;

/** What the test found, in sentences and as data; never contains the secret. */
export type AccessCheckResult = Readonly<{
  /** True when the test reached a verdict about the repository (any verdict but `failed`). */
  ok: boolean;
  verdict: AccessVerdict;
  /** The login part's code: `ok` unless the credential or the connection failed first. */
  code: LoginCheckCode;
  status?: number;
  method?: AccessMethod;
  /** The repository as tested (Docker Hub's official images with `library/`). */
  repository: string;
  tag?: string;
  pull: boolean | null;
  push: boolean | null;
  exists: boolean | null;
  tagFound?: boolean;
  /** The headline: "Can pull and push team/api", "Can pull only — pipelines that push will fail", … */
  sentence: string;
  /** What happened in more detail (how the rights were found, a missing tag, an upload not cancelled). */
  message: string;
  /** What to do: the product page's advice for the verdict, or the login check's hint when it failed. */
  hint: string;
  durationMs: number;
  expiry?: TokenExpiry;
}>;

function describeMethod(findings: AccessFindings): string {
  return findings.method === 'token-claims'
    ? 'Read from the rights the registry token grants (its access claims).'
    : 'Found through the registry API without changing anything: the tag list read, and a push the registry refused to store.';
}

function describeDetails(findings: AccessFindings, name: string, tag: string | undefined): string[] {
  const lines = [describeMethod(findings)];
  if (tag !== undefined && findings.tagFound === true) lines.push(`The image ${name}:${tag} exists.`);
  if (tag !== undefined && findings.tagFound === false) {
    lines.push(
      `The tag ${tag} is not in ${name}: check if the image exists in the registry and ensure the image tag is correct.`,
    );
  }
  if (findings.uncancelledUpload !== undefined) {
    lines.push(
      `The registry did not let the test cancel its upload (${findings.uncancelledUpload}); it holds no data and the registry's upload purge removes it.`,
    );
  }
  return lines;
}

/** Docker Hub's official images live under `library/`; everywhere else the name is used as typed. */
function qualifyName(registry: string, name: string): string {
  const target = resolveTarget(registry);
  return target.ok && target.target.kind === 'docker-hub' && !name.includes('/') ? `library/${name}` : name;
}

/** Tests a credential's rights on a repository. Never throws; a failed login is a verdict `failed` with its hint. */
export async function checkAccess(input: AccessCheckInput): Promise<AccessCheckResult> {
  const parsed = parseRepositoryRef(input.repository);
  const typed = input.repository.trim();
  if (!parsed.ok) {
    const blank = { pull: null, push: null, exists: null, durationMs: 0 };
    return {
      ...blank,
      ok: false,
      verdict: 'failed',
      code: 'not-run',
      repository: typed,
      sentence: parsed.reason,
      message: parsed.reason,
      hint: 'Nothing was sent to the registry. Check the repository name, then test again.',
    };
  }
  const name = qualifyName(input.registry, parsed.ref.name);
  const ref = parsed.ref.tag === undefined ? { name } : { name, tag: parsed.ref.tag };
  const run = await runCheck(input, (context) => runAccessFlow(context, ref));
  const findings = run.value;
  const common = {
    repository: name,
    ...(ref.tag === undefined ? {} : { tag: ref.tag }),
    durationMs: run.durationMs,
    ...(run.outcome.status === undefined ? {} : { status: run.outcome.status }),
  };
  if (findings === undefined || run.outcome.code !== 'ok') {
    const outcome = run.outcome.code === 'ok' ? createOutcome('bad-response', 'The test did not finish.') : run.outcome;
    const sentence = describeAccess('failed', name);
    return {
      ...common,
      ok: false,
      verdict: 'failed',
      code: outcome.code,
      pull: null,
      push: null,
      exists: null,
      sentence,
      message: outcome.message,
      hint: run.hint,
    };
  }
  const { verdict, method, pull, push, exists, tagFound } = findings;
  return {
    ...common,
    ok: true,
    verdict,
    code: 'ok',
    method,
    pull,
    push,
    exists,
    ...(tagFound === undefined ? {} : { tagFound }),
    sentence: describeAccess(verdict, name),
    message: describeDetails(findings, name, ref.tag).join(' '),
    hint: adviseAccess(verdict),
    ...(run.expiry === undefined ? {} : { expiry: run.expiry }),
  };
}
