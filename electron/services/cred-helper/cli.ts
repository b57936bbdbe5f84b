// docker-credential-regvault as a plain Node script (dist/helper/docker-credential-regvault.cjs):
// what the tests run, and what a developer can put on the PATH with a one-line wrapper. The shipped
// app runs the same code inside its own binary (electron/helper-mode.ts), so users need no Node.
import { runCredentialHelper } from './client';
import { defaultDataDir } from './data-dir';

declare const REGVAULT_VERSION: string;

void runCredentialHelper({
  args: process.argv.slice(2),
  stdin: process.stdin,
  write: (text) => process.stdout.write(text),
  dataDir: defaultDataDir(process.env, process.platform),
  platform: process.platform,
  version: typeof REGVAULT_VERSION === 'string' ? REGVAULT_VERSION : '0.0.0',
}).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.stdout.write('Regvault helper failed unexpectedly\n');
    process.exitCode = 1;
  },
);
