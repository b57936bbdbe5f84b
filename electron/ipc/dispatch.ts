import { channels, type Channel, type RequestOf, type ResponseOf } from '../../shared/ipc/contract';
import { fail, ok, type Result } from '../../shared/result';
import { originOf } from '../security';

/** One function per channel, receiving the already-validated input. */
export type HandlerTable = {
  readonly [C in Channel]: (input: RequestOf<C>) => Promise<Result<ResponseOf<C>>> | Result<ResponseOf<C>>;
};

/** Who sent a request: the frame's URL and whether it is the window's top frame. */
export type SenderInfo = Readonly<{ url: string; isMainFrame: boolean }>;

/** Routes a raw request to its handler: checks the sender, the channel and the input, and never throws. */
export type Dispatch = (channel: string, input: unknown, sender: SenderInfo) => Promise<Result<unknown>>;

/** True when a request comes from the top frame of our own renderer origin. */
function isTrustedSender(sender: SenderInfo, trustedOrigin: string): boolean {
  if (!sender.isMainFrame) return false;
  return originOf(sender.url) === trustedOrigin;
}

function isChannel(name: string): name is Channel {
  return Object.hasOwn(channels, name);
}

/** Builds the dispatcher that both Electron's ipcMain and the test harness call. */
export function createDispatch(
  table: HandlerTable,
  trustedOrigin: string,
  log: (line: string) => void = () => {},
): Dispatch {
  return async (name, input, sender) => {
    if (!isTrustedSender(sender, trustedOrigin)) {
      return fail('untrusted-sender', 'This request did not come from the Regvault window and was refused.');
    }
    if (!isChannel(name)) return fail('unknown-channel', `There is no channel named "${name}".`);
    const parsed = channels[name].request.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
      return fail('bad-request', `Invalid request for ${name}${where}: ${issue?.message ?? 'malformed input'}.`);
    }
    try {
      const handler = table[name] as (input: unknown) => Promise<Result<unknown>> | Result<unknown>;
      const result = await handler(parsed.data);
      if (!result.ok) return result;
      // Only what the contract declares leaves main: unknown keys (e.g. a plan's secrets) are stripped.
      const answer = channels[name].response.safeParse(result.value);
      if (!answer.success) {
        log(`[ipc] ${name}: handler returned a value that does not match the contract`);
        return fail('internal', `Regvault produced an invalid answer for ${name}. Please report this.`);
      }
      return ok(answer.data);
    } catch (error) {
      // Only the error's class goes to the log: messages may contain secrets.
      log(`[ipc] ${name} failed: ${error instanceof Error ? error.name : typeof error}`);
      return fail('internal', `Regvault could not complete ${name}. Try again; if it keeps failing, restart the app.`);
    }
  };
}
