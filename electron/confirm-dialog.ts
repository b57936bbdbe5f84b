import { dialog, type BrowserWindow } from 'electron';
import type { ConfirmDialog } from './services/context';

/**
 * Main's own confirmation: a native message box over the window (the renderer cannot draw or click it).
 * Cancel is the default and the Esc answer; only the confirm button says yes.
 */
export function electronConfirm(window: () => BrowserWindow | null): ConfirmDialog {
  return async ({ title, message, detail, confirm }) => {
    const options = {
      type: 'warning' as const,
      title,
      message,
      detail,
      buttons: ['Cancel', confirm],
      defaultId: 0,
      cancelId: 0,
      noLink: true,
    };
    const win = window();
    const { response } = win ? await dialog.showMessageBox(win, options) : await dialog.showMessageBox(options);
    return response === 1;
  };
}
