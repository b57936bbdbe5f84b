import { ok } from '../../shared/result';
import { getAppInfo } from '../services/app-info';
import { createSecretClipboard } from '../services/clipboard';
import { checkLogin } from '../services/registry-check';
import type { ServiceContext } from '../services/context';
import { createDockerConfigIpc } from '../services/docker-config-ipc';
import type { HandlerTable } from './dispatch';

/** The one handler table: Electron's main registers it, the end-to-end harness calls the same functions. */
export function createHandlers(context: ServiceContext): HandlerTable {
  const secrets = createSecretClipboard(context.clipboard);
  const docker = createDockerConfigIpc(context);
  return {
    'app:info': () => ok(getAppInfo(context)),
    'registry:check-login': async (input) => ok(await checkLogin(input)),
    'clipboard:copy-secret': async ({ text }) => ok(await secrets.copySecret(text)),
    'docker:read': () => docker.read(),
    'docker:plan': (input) => docker.plan(input),
    'docker:apply': (input) => docker.apply(input),
    'docker:import': () => docker.importLogins(),
    'docker:kube-secret': (input) => docker.kubeSecret(input),
  };
}
