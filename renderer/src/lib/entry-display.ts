/**
 * What the registry list shows for an entry: the row's text, its status badges with a tone
 * and an explanation, and the sentences of the delete confirmations. Pure: `now` is passed in.
 */
import { describeBadge, entryStatus, rotationDueAt, type Entry, type EntryBadge } from '../../../shared/entries';
import { detectPreset, displayRegistry, getPreset } from '../../../shared/registry';
import type { DockerState } from './docker-digests';

/** How a badge is coloured; the text always says the same thing, so colour is never the only signal. */
export type BadgeTone = 'danger' | 'warn' | 'ok' | 'info';

/** One badge as the row shows it; `title` explains it and says what to do. */
export type BadgeView = Readonly<{
  key: EntryBadge | 'expires-later' | `docker-${DockerState}` | `insight-${string}`;
  label: string;
  tone: BadgeTone;
  title: string;
  /** Shown next to the badge (a rotation flag's reason: "Carol had access"). */
  note?: string;
}>;

/** What the row says about the login check: never checked, passed, or failed with the reason and what to do. */
export type CheckView =
  | Readonly<{ kind: 'none'; text: string; title: string }>
  | Readonly<{ kind: 'ok' | 'failed'; text: string; title: string; detail: string }>;

/** One list row's text. */
export type RowView = Readonly<{
  id: string;
  name: string;
  kind: string;
  registry: string;
  username: string;
  pipelines: string;
  insecure: boolean;
  badges: readonly BadgeView[];
  check: CheckView;
}>;

/** The seed's warning about deleting credentials that pipelines use. */
export const PIPELINES_WARNING =
  'Deleting registry credentials will cause pipelines using that registry to fail. Update pipeline configurations before deleting.';

/** The seed's sentence for every delete confirmation. */
export const CANNOT_UNDO = 'This action cannot be undone.';

const TONES: Readonly<Record<EntryBadge, BadgeTone>> = {
  expired: 'danger',
  'expires-soon': 'warn',
  'check-failed': 'danger',
  'rotation-recommended': 'warn',
  'rotation-due': 'warn',
  'check-ok': 'ok',
};

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

// Built once: a formatter is costly to create, and every visible row may format a date.
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A date and time the way the user's locale writes it. */
export function formatDateTime(ms: number): string {
  return dateTime.format(ms);
}

/** "in 12 h", "in 40 min", "in 3 days": how far ahead `ms` is from `now`. */
function describeTimeLeft(ms: number, now: number): string {
  const left = Math.max(0, ms - now);
  if (left < HOUR) return `${Math.max(1, Math.round(left / 60_000))} min`;
  if (left < 2 * DAY) return `${Math.round(left / HOUR)} h`;
  return `${Math.round(left / DAY)} days`;
}

function explainBadge(entry: Entry, badge: EntryBadge): string {
  switch (badge) {
    case 'expired':
      return `Expired ${formatDateTime(entry.expiresAt ?? 0)}. Edit the registry and enter a new password/token${
        entry.presetId === 'ecr' ? ' (for ECR, regenerate the authorization token)' : ''
      }.`;
    case 'expires-soon':
      return `Expires ${formatDateTime(entry.expiresAt ?? 0)}. Rotate it before pipelines start failing.`;
    case 'check-failed':
      return entry.lastCheck?.message ?? 'The last login check failed.';
    case 'rotation-recommended':
      return entry.rotationRecommended?.reason ?? 'Rotate this credential.';
    case 'rotation-due':
      return `Rotation was due ${formatDateTime(rotationDueAt(entry) ?? 0)}. Edit the registry and enter a new password/token.`;
    case 'check-ok':
      return `Logged in successfully ${formatDateTime(entry.lastCheck?.at ?? 0)}.`;
  }
}

/** "checked just now", "checked 5 min ago", "checked 3 h ago", "checked 2 days ago". */
function describeCheckAge(at: number, now: number): string {
  const ago = Math.max(0, now - at);
  if (ago < 60_000) return 'checked just now';
  if (ago < HOUR) return `checked ${Math.floor(ago / 60_000)} min ago`;
  if (ago < DAY) return `checked ${Math.floor(ago / HOUR)} h ago`;
  const days = Math.floor(ago / DAY);
  return `checked ${days} ${days === 1 ? 'day' : 'days'} ago`;
}

/** The row's login-check line: "Not verified" until a check ran, then when it ran and (failed) why. */
function toCheckView(entry: Entry, now: number): CheckView {
  const check = entry.lastCheck;
  if (check === undefined) {
    return {
      kind: 'none',
      text: 'Not verified',
      title: 'No login check yet: Test login tries these credentials against the registry.',
    };
  }
  const when = formatDateTime(check.at);
  return {
    kind: check.ok ? 'ok' : 'failed',
    text: describeCheckAge(check.at, now),
    title: check.ok ? `Logged in successfully ${when}.` : `Login failed ${when}.`,
    detail: check.message,
  };
}

/** The row's badges, most urgent first; a future expiry not yet "soon" is shown as "Expires in …". */
function badgeViews(entry: Entry, now: number): readonly BadgeView[] {
  const reason = entry.rotationRecommended?.reason;
  const views: BadgeView[] = entryStatus(entry, now).map((badge) => ({
    key: badge,
    label: describeBadge(badge),
    tone: TONES[badge],
    title: explainBadge(entry, badge),
    ...(badge === 'rotation-recommended' && reason ? { note: reason } : {}),
  }));
  const { expiresAt } = entry;
  if (expiresAt !== undefined && !views.some((v) => v.key === 'expired' || v.key === 'expires-soon')) {
    const label = `Expires in ${describeTimeLeft(expiresAt, now)}`;
    const source = entry.expiresFrom === undefined ? '' : ', from the token';
    views.push({ key: 'expires-later', label, tone: 'info', title: `Expires ${formatDateTime(expiresAt)}${source}.` });
  }
  return views;
}

const DOCKER_BADGES: Readonly<Record<DockerState, Omit<BadgeView, 'key'> | null>> = {
  same: { label: 'In Docker config', tone: 'info', title: "Docker's config.json holds this login, with this secret." },
  differs: {
    label: 'Differs from Docker config',
    tone: 'warn',
    title:
      "Docker's config.json holds another username or secret for this registry. Write this entry on the Docker config screen to replace it.",
  },
  older: {
    label: 'Docker config holds an older secret',
    tone: 'warn',
    title:
      'Regvault wrote this login to Docker before its secret changed: Docker still uses the old secret. Click "Update Docker config" to write the new one.',
  },
  regvault: {
    label: 'Docker asks Regvault',
    tone: 'info',
    title:
      'config.json routes this registry to docker-credential-regvault (credHelpers): Docker gets the secret from Regvault while it is unlocked, if "Serve to Docker" is on.',
  },
  absent: null,
  unreadable: {
    label: 'Docker config not readable',
    tone: 'warn',
    title: 'The credential helper named in config.json did not answer. Open the Docker config screen and click Reload.',
  },
};

/** The badge for how an entry stands in Docker's config.json (none when it is not there). */
function dockerBadge(state: DockerState | undefined): BadgeView | null {
  const badge = state === undefined ? null : DOCKER_BADGES[state];
  return badge === null ? null : { key: `docker-${state as DockerState}`, ...badge };
}

/**
 * The text of one list row; `docker` is how the entry stands in Docker's config.json, if known, and `extra` the
 * badges of this session's insights (reuse, last use).
 */
export function toRowView(entry: Entry, now: number, docker?: DockerState, extra: readonly BadgeView[] = []): RowView {
  const inDocker = dockerBadge(docker);
  const preset =
    entry.presetId === undefined ? detectPreset(entry.registry, entry.username) : getPreset(entry.presetId);
  return {
    id: entry.id,
    name: entry.name,
    kind: preset.label,
    registry: displayRegistry(entry.registry),
    username: entry.username,
    pipelines: entry.pipelines.join(', '),
    insecure: entry.insecure === true,
    badges: [...badgeViews(entry, now), ...(inDocker === null ? [] : [inDocker]), ...extra],
    check: toCheckView(entry, now),
  };
}

/** "3 of 10" while searching, else "10 registries". */
export function describeCount(shown: number, total: number, searching: boolean): string {
  if (searching) return `${shown} of ${total}`;
  return total === 1 ? '1 registry' : `${total} registries`;
}

/** What deleting an entry breaks: the pipelines listed on it, or the seed's general warning. */
export function describeEntryDeletion(entry: Entry): string {
  if (entry.pipelines.length === 0) return PIPELINES_WARNING;
  return `Pipelines using this registry will fail: ${entry.pipelines.join(', ')}. Update their configurations before deleting.`;
}

/** What deleting a vault removes, with its entry count. */
export function describeVaultDeletion(name: string, entries: number): string {
  const count = entries === 0 ? 'no registries' : entries === 1 ? '1 registry' : `${entries} registries`;
  return `The vault “${name}” holds ${count}. Deleting it removes ${entries === 0 ? 'it' : 'them'} from this device.`;
}
