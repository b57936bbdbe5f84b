import { app, Notification, type BrowserWindow } from 'electron';
import type { Notifier, ReminderTarget } from './services/reminders';

/**
 * Reminders through Electron: a `Notification` whose click brings the window forward and tells the
 * renderer which entry to open, and `app.setBadgeCount` (dock on macOS, Unity launcher on Linux).
 */
export function electronNotifier(window: () => BrowserWindow | null, open: (target: ReminderTarget) => void): Notifier {
  // Electron drops a notification's click handler once the object is collected: keep it until it closes.
  const shown = new Set<Notification>();
  return {
    notify: ({ title, body, target }) => {
      if (!Notification.isSupported()) return false;
      const note = new Notification({ title, body });
      shown.add(note);
      note.on('click', () => {
        const win = window();
        if (win?.isMinimized()) win.restore();
        win?.show();
        win?.focus();
        open(target);
      });
      note.on('close', () => shown.delete(note));
      note.show();
      return true;
    },
    setBadge: (count) => void app.setBadgeCount(count),
  };
}
