import { SvelteSet } from 'svelte/reactivity';
import type { Entry } from '../../../shared/entries';
import { toRegistryKey } from '../../../shared/registry';
import { NOT_RUN_HINT } from '../../../shared/registry/login-check-codes';
import type { CheckTarget, LoginCheckResult } from './login-check-display';

export { toLastCheck, type CheckTarget, type LoginCheckResult } from './login-check-display';

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
      // The bridge's own failure (e.g. a value over the contract's limits): nothing reached a registry.
      return { ok: false, code: 'not-run', message: result.error.message, hint: NOT_RUN_HINT, durationMs: 0 };
    } finally {
      this.running.delete(key);
    }
  }

  /** Checks a saved entry. */
  checkEntry(entry: Entry): Promise<LoginCheckResult> {
    return this.check(entry.id, entry);
  }
}
