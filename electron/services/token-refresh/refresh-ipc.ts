// `refresh:approve`, `refresh:run` and `refresh:forget`: main owns which command an entry may run. The
// renderer asks for an approval with the command it wants; main shows the exact argument vector and the
// registry in its own dialog and stores the approval only when its user says yes. `refresh:run` names
// an entry, never a command: main runs the argument vector it approved for that entry, and only while the
// entry still names the registry it was approved for. A compromised renderer can ask, not approve.
import { join } from 'node:path';
import { fail, ok, type Failure, type Result } from '../../../shared/result';
import type { RequestOf, ResponseOf } from '../../../shared/ipc/contract';
import { defaultDataDir } from '../cred-helper/data-dir';
import type { ServiceContext } from '../context';
import { createApprovalStore, sameArgv, type ApprovalStore } from './approvals';
import { runRefreshCommand, type RefreshRunFailure } from './run-command';

/** Why main did not run a command: it was never approved here, or for another registry. */
export type NotApproved = Failure<'not-approved'>;

const neverAllowed =
  'This command has not been allowed on this device: Edit the entry and choose "Allow this command" (Regvault then asks you to confirm it).';

/** How an argument vector is shown to the user: each argument quoted, so spaces and quotes are visible. */
export function showArgv(argv: readonly string[]): string {
  return argv.map((arg) => JSON.stringify(arg)).join(' ');
}

/** The refresh IPC over the context (its dialog, environment and data folder). */
export function createRefreshIpc(context: ServiceContext, store?: ApprovalStore) {
  const dataDir = context.dataDir ?? defaultDataDir(context.env, context.platform, context.home);
  const approvals = store ?? createApprovalStore(join(dataDir, 'refresh-approvals.json'));
  const confirm = context.confirm ?? (() => Promise.resolve(false));
  return {
    /** Asks this device's user (main's dialog) to allow `argv` for the entry; stores it if they do. */
    approve: async (input: RequestOf<'refresh:approve'>): Promise<Result<ResponseOf<'refresh:approve'>>> => {
      const held = await approvals.get(input.vaultId, input.entryId);
      if (held && sameArgv(held.argv, input.argv) && held.registry === input.registry) return ok({ approved: true });
      const allowed = await confirm({
        title: 'Allow this command?',
        message: `Allow Regvault to run this command to refresh the token of ${input.registry ?? 'this entry'}?`,
        detail: `${showArgv(input.argv)}\n\nIt runs on this computer without a shell, as you, whenever the token is due. Allow it only if you wrote or checked it.`,
        confirm: 'Allow this command',
      });
      if (!allowed) return ok({ approved: false });
      const { vaultId, entryId, argv, registry } = input;
      await approvals.set({ vaultId, entryId, argv: [...argv], ...(registry !== undefined ? { registry } : {}) });
      return ok({ approved: true });
    },
    /** Runs the command approved for the entry; nothing runs without an approval for that entry and registry. */
    run: async (
      input: RequestOf<'refresh:run'>,
    ): Promise<Result<ResponseOf<'refresh:run'>, RefreshRunFailure | NotApproved>> => {
      const approval = await approvals.get(input.vaultId, input.entryId);
      if (!approval) return fail('not-approved', neverAllowed);
      if (approval.registry !== undefined && approval.registry !== input.registry)
        return fail(
          'not-approved',
          `This command was allowed for ${approval.registry}, but the entry now names ${input.registry ?? 'no registry'}: Edit the entry and allow it again.`,
        );
      return runRefreshCommand(approval.argv, { env: context.env, platform: context.platform, cwd: context.home });
    },
    /** Drops the entry's approval (its command was removed or changed). */
    forget: async (input: RequestOf<'refresh:forget'>): Promise<Result<ResponseOf<'refresh:forget'>>> => {
      await approvals.forget(input.vaultId, input.entryId);
      return ok({});
    },
  };
}
