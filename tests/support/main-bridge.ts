// `window.regvault` for renderer unit tests, wired as the test harness wires it: the real bridge over
// the real dispatcher and handler table of main, on a temporary HOME. Only Electron's IPC is left out.
import { createDispatch } from '../../electron/ipc/dispatch';
import { createHandlers } from '../../electron/ipc/handlers';
import type { DockerTestEnv } from '../../electron/services/fixtures/docker-config-env';
import { memoryClipboard } from '../../electron/services/fixtures/memory-clipboard';
import { buildRendererApi } from '../../shared/ipc/bridge';
import type { Channel } from '../../shared/ipc/contract';
import type { Notifier } from '../../electron/services/reminders';
import type { ConfirmDialog } from '../../electron/services/context';
import { recordingDialog } from '../../electron/services/fixtures/recording-dialog';

const origin = 'app://regvault';

/** Installs `globalThis.window` with the real `regvault` API; `sent` records every request; `focus()` fires focus listeners. */
export function installMainBridge(
  testEnv: DockerTestEnv,
  notifier?: Notifier,
  confirm: ConfirmDialog = recordingDialog().confirm,
) {
  const { clipboard } = memoryClipboard();
  const context = {
    appName: 'Regvault',
    appVersion: '0',
    home: testEnv.home,
    env: testEnv.env,
    platform: 'linux' as const,
    clipboard,
    confirm,
    dataDir: `${testEnv.home}/.regvault-data`,
    ...(notifier ? { notifier } : {}),
  };
  const dispatch = createDispatch(createHandlers(context), origin);
  const sent: { channel: Channel; input: unknown }[] = [];
  const listeners = new Set<() => void>();
  const regvault = buildRendererApi({
    invoke: (channel, input) => {
      sent.push({ channel, input });
      return dispatch(channel, input, { url: `${origin}/index.html`, isMainFrame: true });
    },
    subscribe: () => () => undefined,
  });
  (globalThis as { window?: unknown }).window = {
    regvault,
    addEventListener: (_: string, listener: () => void) => listeners.add(listener),
    removeEventListener: (_: string, listener: () => void) => listeners.delete(listener),
  };
  return {
    sent,
    focus: () => listeners.forEach((listener) => listener()),
    uninstall: () => delete (globalThis as { window?: unknown }).window,
  };
}
