import { dialog, type BrowserWindow } from 'electron';
import type { FileDialogs } from './services/context';

/** Electron's save and folder dialogs, attached to the window (backups). */
export function electronDialogs(window: () => BrowserWindow | null): FileDialogs {
  return {
    async chooseSavePath(suggestedName) {
      const parent = window();
      const options = {
        title: 'Save backup',
        defaultPath: suggestedName,
        filters: [{ name: 'Regvault backup', extensions: ['rvbackup'] }],
      };
      const result = parent ? await dialog.showSaveDialog(parent, options) : await dialog.showSaveDialog(options);
      return result.canceled || !result.filePath ? null : result.filePath;
    },
    async chooseFolder() {
      const parent = window();
      const options = {
        title: 'Folder for automatic backups',
        properties: ['openDirectory', 'createDirectory'] as ('openDirectory' | 'createDirectory')[],
      };
      const result = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
  };
}
