// The agent's version: set by the package build (esbuild `define`), else the development placeholder.
declare const REGVAULT_AGENT_VERSION: string | undefined;

/** The version `regvault --version` prints. */
export const AGENT_VERSION: string = typeof REGVAULT_AGENT_VERSION === 'string' ? REGVAULT_AGENT_VERSION : '0.0.0-dev';
