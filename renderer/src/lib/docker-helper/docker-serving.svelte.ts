/**
 * Which entries this device serves to Docker ("Serve to Docker", off by default) and which vault
 * `docker login` stores into. Both are per device: kept in the profile's settings, sealed under
 * the master key, never in the synced vault document, so a teammate's edit can never make this
 * machine hand a secret to Docker (docs/docker-config.md).
 */
import { fail, ok, type Failure, type Result } from '../../../../shared/result';
import type { UnlockedProfile } from '../vault-db';
import type { ServedEntry, Settings } from '../vault-db/records';

/** Why a serving change failed. */
export type ServingFailure = Failure<'locked' | 'unexpected' | string>;

/** The served entries and the store vault of the unlocked session. */
export class DockerServing {
  /** Bumped on each saved change: settings are a plain object, this makes readers re-run. */
  private version = $state(0);

  constructor(private readonly session: () => UnlockedProfile | null) {}

  /** The entries served on this device. */
  get served(): readonly ServedEntry[] {
    void this.version;
    return this.session()?.settings.dockerServe ?? [];
  }

  /** The vault `docker login` stores into, if chosen. */
  get storeVault(): string | undefined {
    void this.version;
    return this.session()?.settings.helperStoreVault;
  }

  isServed(entryId: string): boolean {
    return this.served.some((served) => served.entryId === entryId);
  }

  /** Turns serving an entry on or off. */
  setServed(vaultId: string, entryId: string, on: boolean): Promise<Result<void, ServingFailure>> {
    return this.update((settings) => {
      const others = (settings.dockerServe ?? []).filter((served) => served.entryId !== entryId);
      return { ...settings, dockerServe: on ? [...others, { vaultId, entryId }] : others };
    });
  }

  /** Stops serving every entry for which `drop` is true (erase, deleted entries). */
  stopServing(drop: (served: ServedEntry) => boolean): Promise<Result<void, ServingFailure>> {
    return this.update((settings) => ({
      ...settings,
      dockerServe: (settings.dockerServe ?? []).filter((s) => !drop(s)),
    }));
  }

  /** Chooses the vault `docker login` stores into (undefined: refuse stores). */
  setStoreVault(vaultId: string | undefined): Promise<Result<void, ServingFailure>> {
    return this.update((settings) => {
      const { helperStoreVault: _old, ...rest } = settings;
      return vaultId === undefined ? rest : { ...rest, helperStoreVault: vaultId };
    });
  }

  // One change at a time: each reads the settings the previous one saved.
  private chain: Promise<unknown> = Promise.resolve();

  private update(change: (settings: Settings) => Settings): Promise<Result<void, ServingFailure>> {
    const run = this.chain.then(() => this.save(change));
    this.chain = run;
    return run;
  }

  private async save(change: (settings: Settings) => Settings): Promise<Result<void, ServingFailure>> {
    const session = this.session();
    if (session === null) return fail('locked', 'The vault is locked.');
    try {
      const saved = await session.updateSettings(change(session.settings));
      if (!saved.ok) return saved;
    } catch {
      return fail('unexpected', 'Regvault could not save this setting. Try again.');
    }
    this.version += 1;
    return ok(undefined);
  }
}
