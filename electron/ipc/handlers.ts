import { ok } from '../../shared/ipc/result';
import { getAppInfo } from '../services/app-info';
import { createSecretClipboard } from '../services/clipboard';
import { checkLogin } from '../services/registry-check';
import type { ServiceContext } from '../services/context';
import type { HandlerTable } from './dispatch';

/** The one handler table: Electron's main registers it, the end-to-end harness calls the same functions. */
export function createHandlers(context: ServiceContext): HandlerTable {
  const secrets = createSecretClipboard(context.clipboard);
  return {
    'app:info': () => ok(getAppInfo(context)),
    'registry:check-login': async (input) => ok(await checkLogin(input)),
    'clipboard:copy-secret': async ({ text }) => ok(await secrets.copySecret(text)),
  };
}
