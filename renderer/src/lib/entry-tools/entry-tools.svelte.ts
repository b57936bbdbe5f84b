// What the entry's menu does beyond the row's buttons: its secret history ("Show history", "Restore this secret")
// and "Move to vault" / "Copy to vault". Each is a normal, rights-checked edit of the vaults' documents.
import {
  copyEntryTo,
  moveEntryTo,
  readSecretHistory,
  type Entry,
  type PreviousSecret,
} from '../../../../shared/entries';
import { fail, ok, type Failure, type Result } from '../../../../shared/result';
import { refusalFor } from '../../../../shared/team/roles';
import { followInDockerConfig } from '../docker-follow';
import type { UnlockedProfile } from '../vault-db';
import { sessionEntryContext, type VaultView } from '../vault-view.svelte';

/** Move (needs delete on the source and write on the target) or copy (write on the target). */
export type TransferMode = 'move' | 'copy';

/** What restoring a previous secret did after saving it: the login check and Docker's config. */
export type RestoredSecret = Readonly<{ entry: Entry; dockerConfigUpdated: boolean }>;

/** The entry tools of one unlocked session over its open vault view. */
export class EntryTools {
  constructor(
    private readonly session: UnlockedProfile,
    private readonly view: VaultView,
  ) {}

  /** The entry's previous secrets, newest first. */
  async history(entryId: string): Promise<PreviousSecret[]> {
    const id = this.view.currentId;
    if (id === null) return [];
    const open = await this.session.openVault(id);
    return open.ok ? readSecretHistory(open.value.doc, entryId) : [];
  }

  /**
   * "Restore this secret": saves the previous secret as the entry's current one (a normal edit, in Activity), then
   * runs Test login and updates Docker's config where Regvault wrote this registry.
   */
  async restore(entryId: string, previous: PreviousSecret): Promise<Result<RestoredSecret, Failure>> {
    const saved = this.view.edit(entryId, { secret: previous.value });
    if (!saved.ok) return saved;
    // view.edit re-checks an entry checked before; one never checked is checked here.
    if (!this.view.checks.isRunning(entryId)) void this.view.checks.test(saved.value);
    const dockerConfigUpdated = await followInDockerConfig(saved.value);
    if (dockerConfigUpdated) await this.view.docker.compare(true);
    return ok({ entry: saved.value, dockerConfigUpdated });
  }

  /** Moves or copies the entry from the open vault to `targetId`; refused without the rights, changing nothing. */
  async transfer(entryId: string, targetId: string, mode: TransferMode): Promise<Result<Entry, Failure>> {
    const sourceId = this.view.currentId;
    if (sourceId === null || sourceId === targetId) return fail('invalid-input', 'Choose another vault to move it to.');
    const refusedTarget = refusalFor(this.view.rights(targetId), 'add');
    if (refusedTarget) return fail('not-permitted', `In the target vault: ${refusedTarget}`);
    const refusedSource = mode === 'move' ? refusalFor(this.view.rights(sourceId), 'delete') : null;
    if (refusedSource) return fail('not-permitted', `To move it out of this vault: ${refusedSource} Copy it instead.`);
    const [source, target] = await Promise.all([this.session.openVault(sourceId), this.session.openVault(targetId)]);
    if (!source.ok) return source;
    if (!target.ok) return target;
    const ctx = sessionEntryContext(this.session);
    const run = mode === 'move' ? moveEntryTo : copyEntryTo;
    const result = run(source.value.doc, entryId, target.value.doc, ctx);
    await Promise.all([source.value.flush(), target.value.flush()]);
    return result;
  }
}
