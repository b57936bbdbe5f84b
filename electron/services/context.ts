import { homedir } from 'node:os';
import type { ClipboardLike } from './clipboard';
import type { Notifier } from './reminders';

/** A question main asks its user itself (a native dialog), which no renderer can answer. */
export type ConfirmQuestion = Readonly<{ title: string; message: string; detail: string; confirm: string }>;

/** Shows a question; resolves true only when the user chose `confirm`. */
export type ConfirmDialog = (question: ConfirmQuestion) => Promise<boolean>;

/** What main-process services know about the machine; tests pass a temporary HOME and their own env. */
export type ServiceContext = Readonly<{
  appName: string;
  appVersion: string;
  home: string;
  env: Readonly<Record<string, string | undefined>>;
  platform: NodeJS.Platform;
  clipboard: ClipboardLike;
  /** Desktop notifications and the badge count (issue #17); none when absent. */
  notifier?: Notifier;
  /** Where the user saves a backup and which folder takes automatic ones (Electron's dialogs; the harness's temp dir). */
  dialogs?: FileDialogs;
  /** Main's own confirmation dialog (`dialog.showMessageBox`); absent: every question is answered no. */
  confirm?: ConfirmDialog;
  /** The app's user-only data folder (Electron's userData); absent: the default for this platform. */
  dataDir?: string;
}>;

/** The file dialogs main shows; null when the user cancelled. */
export type FileDialogs = Readonly<{
  chooseSavePath: (suggestedName: string) => Promise<string | null>;
  chooseFolder: () => Promise<string | null>;
}>;

/** The context of the running process. */
export function processContext(appName: string, appVersion: string, clipboard: ClipboardLike): ServiceContext {
  return { appName, appVersion, home: homedir(), env: process.env, platform: process.platform, clipboard };
}
