// docker-credential-regvault as a plain Node script (dist/helper/docker-credential-regvault.cjs):
// what the tests run, and what a developer can put on the PATH with a one-line wrapper. The shipped
// app runs the same code inside its own binary (electron/helper-mode.ts), so users need no Node.
import { runCredentialHelperProcess } from './client';
import { defaultDataDir } from './data-dir';

declare const REGVAULT_VERSION: string;

runCredentialHelperProcess(
  defaultDataDir(process.env, process.platform),
  typeof REGVAULT_VERSION === 'string' ? REGVAULT_VERSION : '0.0.0',
);
