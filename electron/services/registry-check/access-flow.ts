/**
 * "Test access" (docs/login-check.md): which rights a credential has on one repository, found without changing
 * anything in the registry. A token service is asked for `repository:<name>:pull,push` and its JWT's `access`
 * claims say what it granted; otherwise the registry API is probed: pull = `GET /v2/<name>/tags/list`, push =
 * a `PUT` of a manifest that is not one (refused after the push right is checked, stored nowhere), or where that
 * answer says nothing, an upload started (`POST /v2/<name>/blobs/uploads/`) and cancelled at once (`DELETE` of its
 * URL). A named tag is looked up with `HEAD /v2/<name>/manifests/<tag>`.
 */
import { createHash } from 'node:crypto';
import type { AccessMethod, AccessVerdict, RepositoryRef } from '../../../shared/registry/access-verdict';
import type { GrantedActions } from './access-claims';
import { readGrantedActions } from './access-claims';
import { requestScopedToken, requestToken } from './bearer-flow';
import type { AuthChallenge } from './challenge';
import { findChallenge, parseAuthChallenges } from './challenge';
import type { FlowRequest } from './flow-request';
import { sendInFlow } from './flow-request';
import type { HttpResponse } from './http-request';
import { RequestFailure } from './http-request';
import { loginWithBasic, pingRegistry } from './login-flow';
import type { FlowContext, FlowOutcome } from './outcome';
import { createOutcome, describeFailedStatus, encodeBasicAuthorization } from './outcome';
import { planSchemes } from './target';

/** What an access test found; `null` where it could not tell. */
export type AccessFindings = Readonly<{
  verdict: AccessVerdict;
  method: AccessMethod;
  pull: boolean | null;
  push: boolean | null;
  exists: boolean | null;
  /** Whether the named tag's manifest is there (only when a tag was given and the repository could be read). */
  tagFound?: boolean;
  /** An upload the registry accepted but did not let us cancel (its path), so the user can tell its admin. */
  uncancelledUpload?: string;
}>;

/** How the test talks to the registry once it knows how to authenticate. */
type Session = Readonly<{ base: URL; authorization: string | undefined; claims: GrantedActions | undefined }>;

type SessionResult = Readonly<{ ok: true; session: Session }> | Readonly<{ ok: false; outcome: FlowOutcome }>;

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** Logs in the way the registry's challenge asks: a token scoped to the repository, Basic, or nothing. */
async function openSession(context: FlowContext, name: string): Promise<SessionResult> {
  const schemes = planSchemes(context);
  const authority = context.target.authority;
  if (schemes === undefined) {
    const message = `Plain HTTP to ${authority} was refused: it is not a loopback address and not marked insecure. Nothing was sent.`;
    return { ok: false, outcome: createOutcome('insecure-refused', message) };
  }
  const ping = await pingRegistry(context, schemes);
  const base = new URL('/', ping.url);
  if (ping.response.status === 200) return { ok: true, session: { base, authorization: undefined, claims: undefined } };
  if (ping.response.status !== 401)
    return { ok: false, outcome: describeFailedStatus(ping.response, authority, 'the request') };
  const header = ping.response.headers['www-authenticate'];
  const challenges = parseAuthChallenges(Array.isArray(header) ? header.join(', ') : (header ?? ''));
  const bearer = findChallenge(challenges, 'bearer');
  if (bearer !== undefined) {
    const token = await requestScopedToken(context, bearer, `repository:${name}:pull,push`);
    if (token.ok) {
      const claims = readGrantedActions(token.token, name);
      return { ok: true, session: { base, authorization: `Bearer ${token.token}`, claims } };
    }
    return refusedScope(context, bearer, base, token.outcome);
  }
  if (findChallenge(challenges, 'basic') === undefined) {
    const message = `${authority} asks for an authentication scheme other than Basic or Bearer.`;
    return { ok: false, outcome: createOutcome('unsupported-auth', message, 401) };
  }
  const login = await loginWithBasic(context, ping.url);
  if (login.code !== 'ok') return { ok: false, outcome: login };
  const authorization = encodeBasicAuthorization(context.username, context.secret);
  return { ok: true, session: { base, authorization, claims: undefined } };
}

/**
 * Some token services refuse a scope the account may not use (401/403) instead of granting nothing. When the same
 * credentials still get a token without the scope, they are right and the repository is what is refused.
 */
async function refusedScope(
  context: FlowContext,
  bearer: AuthChallenge,
  base: URL,
  refused: FlowOutcome,
): Promise<SessionResult> {
  if (refused.code !== 'unauthorized' && refused.code !== 'forbidden') return { ok: false, outcome: refused };
  const login = await requestToken(context, bearer);
  if (!login.ok) return { ok: false, outcome: refused };
  const none = { pull: false, push: false };
  return { ok: true, session: { base, authorization: `Bearer ${login.token}`, claims: none } };
}

/** One request of the test, with the session's credentials. */
function send(
  context: FlowContext,
  session: Session,
  method: NonNullable<FlowRequest['method']>,
  url: URL,
  accept?: string,
  body?: FlowRequest['body'],
) {
  return sendInFlow(context, {
    url,
    method,
    ...(session.authorization === undefined ? {} : { authorization: session.authorization }),
    ...(accept === undefined ? {} : { accept }),
    ...(body === undefined ? {} : { body }),
  });
}

function repositoryUrl(session: Session, name: string, rest: string): URL {
  return new URL(`/v2/${name}/${rest}`, session.base);
}

/** True for the registry API's "no such repository" answer (404 NAME_UNKNOWN, or a bare 404). */
function isNameUnknown(response: HttpResponse): boolean {
  if (response.status !== 404) return false;
  return !/"code"\s*:\s*"(?!NAME_UNKNOWN)[A-Z_]+"/.test(response.body);
}

type ReadProbe = Readonly<{ pull: boolean | null; exists: boolean | null }>;

/** `GET tags/list`: readable (200), missing (404 NAME_UNKNOWN) or refused (401/403). */
async function probePull(context: FlowContext, session: Session, name: string): Promise<ReadProbe | FlowOutcome> {
  const response = await send(context, session, 'GET', repositoryUrl(session, name, 'tags/list'));
  if (response.status === 200) return { pull: true, exists: true };
  if (isNameUnknown(response)) return { pull: null, exists: false };
  if (response.status === 401 || response.status === 403) return { pull: false, exists: null };
  return describeFailedStatus(response, context.target.authority, `reading ${name}`);
}

type PushProbe = Readonly<{ push: boolean | null; exists?: boolean; uncancelledUpload?: string }>;

/**
 * The write-free push probe: a `PUT` of a manifest that is not JSON, by digest (never a tag). A registry checks
 * the push right before it reads the body, so 400 (MANIFEST_INVALID) means "may push" and 401/403 "may not",
 * and it stores nothing either way. Undefined when the answer says neither (the upload probe then decides).
 */
async function probePushByManifest(
  context: FlowContext,
  session: Session,
  name: string,
): Promise<PushProbe | undefined> {
  const text = 'Regvault access test: not a manifest, never stored.';
  const digest = `sha256:${createHash('sha256').update(text).digest('hex')}`;
  const url = repositoryUrl(session, name, `manifests/${digest}`);
  const response = await send(context, session, 'PUT', url, undefined, { text, type: OCI_MANIFEST });
  if (response.status === 400) return { push: true };
  if (response.status === 401 || response.status === 403) return { push: false };
  if (isNameUnknown(response)) return { push: false, exists: false };
  return undefined;
}

/** Starts a blob upload and cancels it at once; the upload URL is only followed on the registry's own origin. */
async function probePushByUpload(context: FlowContext, session: Session, name: string): Promise<PushProbe> {
  const started = await send(context, session, 'POST', repositoryUrl(session, name, 'blobs/uploads/'));
  if (started.status === 401 || started.status === 403) return { push: false };
  if (isNameUnknown(started)) return { push: false, exists: false };
  if (started.status !== 202) return { push: null };
  const location = typeof started.headers.location === 'string' ? started.headers.location : '';
  let upload: URL | undefined;
  try {
    upload = new URL(location, session.base);
  } catch {
    upload = undefined;
  }
  if (upload === undefined || upload.origin !== session.base.origin) {
    return { push: true, uncancelledUpload: location || '(no Location header)' };
  }
  const cancelled = await send(context, session, 'DELETE', upload);
  const gone = cancelled.status === 204 || cancelled.status === 200 || cancelled.status === 404;
  return gone ? { push: true } : { push: true, uncancelledUpload: upload.pathname };
}

/** May this credential push? The write-free probe first; an upload started and cancelled only where it cannot tell. */
async function probePush(context: FlowContext, session: Session, name: string): Promise<PushProbe> {
  return (await probePushByManifest(context, session, name)) ?? probePushByUpload(context, session, name);
}

/** `HEAD` of the tag's manifest: "Check if the image exists". */
async function probeTag(context: FlowContext, session: Session, name: string, tag: string): Promise<boolean> {
  const response = await send(
    context,
    session,
    'HEAD',
    repositoryUrl(session, name, `manifests/${tag}`),
    MANIFEST_TYPES,
  );
  return response.status === 200;
}

function decideVerdict(pull: boolean | null, push: boolean | null, exists: boolean | null): AccessVerdict {
  if (exists === false) return 'not-found';
  if (pull === true) return push === true ? 'pull-push' : 'pull-only';
  return push === true ? 'push-only' : 'no-access';
}

/** Reads the rights: from the token's claims when it has them, else by probing; never writes anything that stays. */
async function findRights(
  context: FlowContext,
  session: Session,
  name: string,
): Promise<Omit<AccessFindings, 'verdict' | 'tagFound'> | FlowOutcome> {
  if (session.claims !== undefined) {
    const { pull, push } = session.claims;
    // The claims say what was granted; whether the repository is there only a read can tell.
    const read = pull ? await probePull(context, session, name) : { pull: false, exists: null };
    if ('code' in read) return read;
    const readable = read.pull ?? pull;
    return { method: 'token-claims', pull: readable, push, exists: read.exists };
  }
  const read = await probePull(context, session, name);
  if ('code' in read) return read;
  // Never start an upload into a repository that is not there: on many registries that would create it.
  const wrote: PushProbe = read.exists === false ? { push: null } : await probePush(context, session, name);
  const exists = wrote.exists ?? read.exists;
  const uncancelled = wrote.uncancelledUpload === undefined ? {} : { uncancelledUpload: wrote.uncancelledUpload };
  return { method: 'probe', pull: read.pull, push: wrote.push, exists, ...uncancelled };
}

/** Runs an access test for a repository; a login failure comes back as its outcome, with no findings. */
export async function runAccessFlow(
  context: FlowContext,
  ref: RepositoryRef,
): Promise<Readonly<{ outcome: FlowOutcome; value?: AccessFindings }>> {
  try {
    const opened = await openSession(context, ref.name);
    if (!opened.ok) return { outcome: opened.outcome };
    const rights = await findRights(context, opened.session, ref.name);
    if ('code' in rights) return { outcome: rights };
    const verdict = decideVerdict(rights.pull, rights.push, rights.exists);
    const tagFound =
      ref.tag !== undefined && rights.pull === true && rights.exists === true
        ? await probeTag(context, opened.session, ref.name, ref.tag)
        : undefined;
    const value = tagFound === undefined ? { ...rights, verdict } : { ...rights, verdict, tagFound };
    return { outcome: createOutcome('ok', `Tested access to ${ref.name} on ${context.target.authority}.`), value };
  } catch (error) {
    if (!(error instanceof RequestFailure)) throw error;
    return { outcome: { code: error.code, message: error.message, detail: error.detail, anonymous: false } };
  }
}
