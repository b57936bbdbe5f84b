import { homedir } from 'node:os';
import { join } from 'node:path';

/** The product name Electron uses for the data folder (electron-builder's productName). */
const APP_FOLDER = 'Regvault';

/**
 * Where the app keeps its data when the helper cannot ask Electron (the plain-Node script):
 * `REGVAULT_DATA_DIR` if set, else Electron's default userData folder for this platform.
 */
export function defaultDataDir(
  env: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform,
  home: string = homedir(),
): string {
  const explicit = env['REGVAULT_DATA_DIR'];
  if (explicit !== undefined && explicit !== '') return explicit;
  if (platform === 'win32') return join(env['APPDATA'] ?? join(home, 'AppData', 'Roaming'), APP_FOLDER);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP_FOLDER);
  return join(env['XDG_CONFIG_HOME'] ?? join(home, '.config'), APP_FOLDER);
}
