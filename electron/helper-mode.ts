// `Regvault --docker-credential-helper <action>`: the app's own binary acting as
// docker-credential-regvault, so users need no separate Node. The shipped launcher
// (build/helper/, packed as extra resources) runs this; it opens no window, takes no
// single-instance lock (that would wake the running app) and exits with the protocol's code.
// ELECTRON_RUN_AS_NODE is not used: the runAsNode fuse stays off (DESIGN.md §8).
import type { App } from 'electron';
import { runCredentialHelper } from './services/cred-helper/client';

/** The flag the launcher passes before the protocol's action. */
export const HELPER_FLAG = '--docker-credential-helper';

/** The protocol's arguments when this process was started as the helper, else null. */
export function helperArguments(argv: readonly string[]): string[] | null {
  const at = argv.indexOf(HELPER_FLAG);
  return at === -1 ? null : argv.slice(at + 1);
}

/** Runs one helper request and exits; nothing else of the app starts. */
export function runHelperMode(app: App, args: readonly string[]): void {
  app.dock?.hide();
  void runCredentialHelper({
    args,
    stdin: process.stdin,
    write: (text) => process.stdout.write(text),
    dataDir: app.getPath('userData'),
    platform: process.platform,
    version: app.getVersion(),
  }).then(
    (code) => process.stdout.write('', () => app.exit(code)),
    () => app.exit(1),
  );
}
