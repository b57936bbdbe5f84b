// The agent's exit codes (docs/agent.md lists the same table): a pipeline step can tell "the relay
// was down" from "this agent was removed" from "the credential no longer logs in".

/** Every exit code of `regvault` and of `docker-credential-regvault`'s agent fallback. */
export const exitCodes = {
  ok: 0,
  /** Something unexpected (a bug, or a failure without a more specific code). */
  failed: 1,
  /** Wrong command line. */
  usage: 2,
  /** No agent key, no state, a key that does not open the state, or a damaged state. */
  state: 3,
  /** The relay could not be reached and no copy may be used (none, or older than --max-age). */
  stale: 4,
  /** This agent was removed from a vault (its local copy is deleted). */
  removed: 5,
  /** No credential for the registry asked for. */
  notFound: 6,
  /** A credential no longer logs in (regvault check). */
  loginFailed: 7,
  /** The relay's data did not verify (forged, rolled back, refused): nothing was applied. */
  syncRefused: 8,
  /** Docker's config.json could not be written (or is not valid JSON: it was left alone). */
  dockerConfig: 9,
  /** The invitation could not be used or was not completed in time. */
  join: 10,
} as const;

/** One of the exit codes. */
export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

/** A failure that ends the command with its exit code and a sentence saying what to do. */
export class AgentError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = 'AgentError';
  }
}
