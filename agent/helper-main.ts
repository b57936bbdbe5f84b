// docker-credential-regvault as the agent package ships it: the desktop app's helper when the app is
// running on this machine, else the agent's synced copy (helper-fallback.ts). Same protocol either way.
import { runCredentialHelperProcess } from '../electron/services/cred-helper/client';
import { defaultDataDir } from '../electron/services/cred-helper/data-dir';
import { answerFromAgent } from './helper-fallback';
import { AGENT_VERSION } from './version';

runCredentialHelperProcess(defaultDataDir(process.env, process.platform), AGENT_VERSION, (request) =>
  answerFromAgent(request, process.env),
);
