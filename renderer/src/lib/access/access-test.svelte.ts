import type { Entry } from '../../../../shared/entries';
import { toRegistryKey } from '../../../../shared/registry';
import { parseRepositoryRef } from '../../../../shared/registry/access-verdict';
import { toAccessView, type AccessCheckResult, type AccessView } from './access-display';

type Tested = Readonly<{ repository: string; result: AccessCheckResult }>;

/** What a test needs of an entry: a saved one, or the add / edit form's values as typed. */
export type AccessSubject = Pick<
  Entry,
  'name' | 'registry' | 'username' | 'secret' | 'insecure' | 'caCertificate' | 'repositories' | 'pullOnly'
>;

/**
 * One Test access dialog: the Repository as typed, the test running in main (the renderer never talks to a
 * registry), and its result while the repository is still the one tested.
 */
export class AccessTest {
  repository = $state('');
  running = $state(false);
  /** Why the repository cannot be tested as typed, after a try. */
  error = $state<string | null>(null);
  private tested = $state.raw<Tested | null>(null);

  constructor(private readonly entry: AccessSubject) {
    this.repository = entry.repositories?.[0] ?? '';
  }

  /** The last result, while the Repository field still holds what it tested. */
  get view(): AccessView | null {
    const tested = this.tested;
    return tested !== null && tested.repository === this.repository.trim()
      ? toAccessView(tested.result, this.entry)
      : null;
  }

  /** The verdict last tested, for callers that record it. */
  get result(): AccessCheckResult | null {
    return this.tested?.result ?? null;
  }

  /** Tests the typed repository with the entry's credential. */
  async run(): Promise<void> {
    if (this.running) return;
    const repository = this.repository.trim();
    const parsed = parseRepositoryRef(repository);
    if (!parsed.ok) {
      this.error = parsed.reason;
      return;
    }
    const key = toRegistryKey(this.entry.registry);
    if (!key.ok) {
      this.error = [key.reason, key.hint].filter(Boolean).join(' ');
      return;
    }
    this.error = null;
    this.running = true;
    try {
      const { username, secret, insecure, caCertificate } = this.entry;
      const registry = key.key;
      const answer = await window.regvault.registry.checkAccess({
        registry,
        username,
        secret,
        repository,
        ...(insecure ? { insecure: true } : {}),
        ...(caCertificate?.trim() ? { caCertificate } : {}),
      });
      if (answer.ok) this.tested = { repository, result: answer.value };
      else this.error = `${answer.error.message} Nothing was sent to the registry. Check the values, then test again.`;
    } finally {
      this.running = false;
    }
  }
}
