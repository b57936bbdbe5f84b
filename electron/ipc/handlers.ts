import { ok } from '../../shared/result';
import { getAppInfo } from '../services/app-info';
import { createSecretClipboard, type SecretClipboard } from '../services/clipboard';
import { checkAccess } from '../services/access-check';
import { checkLogin } from '../services/registry-check';
import type { ServiceContext } from '../services/context';
import { createDockerConfigIpc } from '../services/docker-config-ipc';
import { silentNotifier } from '../services/reminders';
import { createRefreshIpc } from '../services/token-refresh/refresh-ipc';
import { createDockerHelperService, type DockerHelperService } from '../services/docker-helper';
import type { HandlerTable } from './dispatch';
import { createBackupFiles } from '../services/backup-files';

/**
 * The one handler table: Electron's main registers it, the end-to-end harness calls the same functions.
 * Main passes its own `secrets` so it can also clear the clipboard on quit, and its own `helper`
 * so it can start the credential helper's channel and connect it to the window.
 */
export function createHandlers(
  context: ServiceContext,
  secrets: SecretClipboard = createSecretClipboard(context.clipboard, context.platform),
  helper: DockerHelperService = createDockerHelperService(context),
): HandlerTable {
  const docker = createDockerConfigIpc(context);
  const backups = createBackupFiles(context);
  const refresh = createRefreshIpc(context);
  return {
    'app:info': () => ok(getAppInfo(context)),
    'registry:check-login': async (input) => ok(await checkLogin(input)),
    'registry:check-access': async (input) => ok(await checkAccess(input)),
    'clipboard:copy-secret': async ({ text }) => ok(await secrets.copySecret(text)),
    'clipboard:clear-secret': async () => ok(await secrets.clearSecret()),
    'docker:read': () => docker.read(),
    'docker:plan': (input) => docker.plan(input),
    'docker:compare': (input) => docker.compare(input),
    'docker:apply': (input) => docker.apply(input),
    'docker:import': () => docker.importLogins(),
    'docker:kube-secret': (input) => docker.kubeSecret(input),
    'refresh:run': (input) => refresh.run(input),
    'refresh:approve': (input) => refresh.approve(input),
    'refresh:forget': (input) => refresh.forget(input),
    'reminder:notify': (note) => ok({ shown: (context.notifier ?? silentNotifier).notify(note) }),
    'reminder:badge': ({ count }) => {
      (context.notifier ?? silentNotifier).setBadge(count);
      return ok({});
    },
    'helper:answer': (input) => helper.answer(input),
    'helper:status': () => helper.status(),
    'helper:install': (input) => helper.install(input),
    'backup:save': (input) => backups.save(input),
    'backup:choose-folder': () => backups.chooseFolder(),
    'backup:write-auto': (input) => backups.writeAuto(input),
  };
}
