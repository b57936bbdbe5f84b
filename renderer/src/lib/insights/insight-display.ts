/**
 * What a list row says about reuse and use (pure): the Reused badge with the vaults that hold the same secret, the
 * soft Same login note, and Not used for 90 days, with what to do ("Never share registry credentials between
 * environments", "Remove unused registry entries").
 */
import type { Entry } from '../../../../shared/entries';
import type { ReuseFinding } from '../../../../shared/entries/reuse';
import { displayRegistry } from '../../../../shared/registry';
import type { BadgeView } from '../entry-display';
import type { EntryUse, EntryUseKind } from '../vault-db';

/** How long without use before a row says so. */
export const UNUSED_AFTER_MS = 90 * 24 * 3_600_000;

/** The words for how an entry was last used. */
const USE_WORDS: Readonly<Record<EntryUseKind, string>> = {
  helper: 'served to Docker by the credential helper',
  'docker-config': "written to Docker's config.json",
  'login-check': 'passed a login check',
  refresh: 'refreshed',
};

/** "Last used 3 days ago (served to Docker by the credential helper)". */
export function describeLastUse(use: EntryUse | undefined, now: number): string {
  if (use === undefined) return 'Not used on this device yet';
  const days = Math.floor(Math.max(0, now - use.at) / (24 * 3_600_000));
  const when = days === 0 ? 'today' : days === 1 ? 'yesterday' : `${days} days ago`;
  return `Last used ${when} (${USE_WORDS[use.via]})`;
}

/** When the entry was last in use on this device, or else created or given its secret. */
export function lastActiveAt(entry: Pick<Entry, 'createdAt' | 'secretUpdatedAt'>, use: EntryUse | undefined): number {
  return Math.max(entry.createdAt, entry.secretUpdatedAt, use?.at ?? 0);
}

function quoteAll(names: readonly string[]): string {
  return names.map((name) => `'${name}'`).join(', ');
}

/** The badges a row gets from reuse and use; `vaultName` names a vault by id. */
export function insightBadges(
  entry: Entry,
  reuse: ReuseFinding | undefined,
  use: EntryUse | undefined,
  now: number,
  vaultName: (id: string) => string,
): BadgeView[] {
  const badges: BadgeView[] = [];
  const others = reuse?.otherVaults.map(vaultName) ?? [];
  if (others.length > 0) {
    badges.push({
      key: 'insight-reused',
      label: 'Reused',
      tone: 'warn',
      title: `The same secret is also in ${quoteAll(others)}. Never share registry credentials between environments: give each environment its own token.`,
      note: `Also in ${quoteAll(others)}`,
    });
  }
  const logins = reuse?.sameLoginRegistries.map(displayRegistry) ?? [];
  if (logins.length > 0) {
    badges.push({
      key: 'insight-same-login',
      label: 'Same login',
      tone: 'info',
      title: `The same username and secret are saved for ${logins.join(', ')} in this vault. That may be right (one account, several hosts); a token per registry can be revoked alone.`,
      note: `Also for ${logins.join(', ')}`,
    });
  }
  if (now - lastActiveAt(entry, use) >= UNUSED_AFTER_MS) {
    badges.push({
      key: 'insight-unused',
      label: 'Not used for 90 days',
      tone: 'info',
      title: `${describeLastUse(use, now)}. Remove unused registry entries, after checking no pipeline still uses them.`,
    });
  }
  return badges;
}
