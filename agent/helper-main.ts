// docker-credential-regvault as the agent package ships it: the desktop app's helper when the app is
// running on this machine, else the agent's synced copy (helper-fallback.ts). Same protocol either way.
import { runCredentialHelper } from '../electron/services/cred-helper/client';
import { defaultDataDir } from '../electron/services/cred-helper/data-dir';
import { answerFromAgent } from './helper-fallback';
import { AGENT_VERSION } from './version';

void runCredentialHelper({
  args: process.argv.slice(2),
  stdin: process.stdin,
  write: (text) => process.stdout.write(text),
  dataDir: defaultDataDir(process.env, process.platform),
  platform: process.platform,
  version: AGENT_VERSION,
  fallback: (request) => answerFromAgent(request, process.env),
}).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.stdout.write('Regvault helper failed unexpectedly\n');
    process.exitCode = 1;
  },
);
