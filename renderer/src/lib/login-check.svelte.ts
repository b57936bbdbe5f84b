import { SvelteSet } from 'svelte/reactivity';
import type { Entry, LastCheck } from '../../../shared/entries';
import type { ResponseOf } from '../../../shared/ipc/contract';
import { toRegistryKey } from '../../../shared/registry';

/** What a login check reports, as the main process answered it. */
export type LoginCheckResult = ResponseOf<'registry:check-login'>;

/** The credential fields a check needs (an entry, or the add/edit form before saving). */
export type CheckTarget = Readonly<{
  registry: string;
  username: string;
  secret: string;
  insecure?: boolean;
  caCertificate?: string;
}>;

/** Turns a check's verdict into the record stored on the entry (what the status badge shows). */
export function toLastCheck(result: LoginCheckResult, at: number): LastCheck {
  return {
    at,
    ok: result.ok,
    code: result.code,
    message: result.ok ? result.message : `${result.message} ${result.hint}`.trim(),
  };
}

/**
 * Runs login checks through main (the renderer never talks to registries itself) and remembers
 * which are running, for the spinners. The result is saved on the entry by the caller.
 */
export class LoginChecks {
  readonly running = new SvelteSet<string>();

  async check(key: string, target: CheckTarget): Promise<LoginCheckResult> {
    const registry = toRegistryKey(target.registry);
    if (!registry.ok) {
      return {
        ok: false,
        code: 'invalid-registry',
        message: registry.reason,
        hint: registry.hint ?? '',
        durationMs: 0,
      };
    }
    this.running.add(key);
    try {
      const result = await window.regvault.registry.checkLogin({
        registry: registry.key,
        username: target.username,
        secret: target.secret,
        ...(target.insecure ? { insecure: true } : {}),
        ...(target.caCertificate?.trim() ? { caCertificate: target.caCertificate } : {}),
      });
      if (result.ok) return result.value;
      return { ok: false, code: result.error.code, message: result.error.message, hint: '', durationMs: 0 };
    } finally {
      this.running.delete(key);
    }
  }

  /** Checks a saved entry. */
  checkEntry(entry: Entry): Promise<LoginCheckResult> {
    return this.check(entry.id, entry);
  }
}
