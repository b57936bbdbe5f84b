// Reminders that reach the user (issue #17): desktop notifications and the dock / taskbar badge are
// main's (DESIGN §1). The renderer decides what is due — only it can read the vault — and main shows
// it through a Notifier: Electron's Notification in the app, a recording one in the test harness.

/** The entry a notification is about; clicking the notification opens it. */
export type ReminderTarget = Readonly<{ vaultId: string; entryId: string }>;

/** One notification: a title and a body without secrets, and the entry it opens. */
export type ReminderNote = Readonly<{ title: string; body: string; target: ReminderTarget }>;

/** What main shows reminders with; `notify` answers false where the system has no notifications. */
export type Notifier = Readonly<{
  notify: (note: ReminderNote) => boolean;
  setBadge: (count: number) => void;
}>;

/** A notifier that shows nothing (a context without a window, e.g. unit tests of other services). */
export const silentNotifier: Notifier = { notify: () => false, setBadge: () => undefined };
