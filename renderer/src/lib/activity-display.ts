// The words of the Activity list and of "Changed by": who (a member's name, or what is known of the key)
// did what to which registries. Authorship comes from signed, peer-checked data (change-judge.ts).
import type { ActivityItem, EntryAction, EntryActivity } from '../../../shared/entries/activity';
import type { MemberEvent } from '../../../shared/sync/member-events';
import type { Role } from '../../../shared/sync/wire-records';
import type { RefusedChange } from '../../../shared/sync/engine-core';
import { displayRegistry } from '../../../shared/registry/registry-key';

/** Names the author of a change: a member's name when known. */
export type NameOf = (actor: string) => string;

/** A name for an actor: "You" for this device, the member's name, or the start of its key. */
export function nameActor(actor: string, me: string, names: Readonly<Record<string, string>>): string {
  if (actor === me) return 'You';
  const name = Object.hasOwn(names, actor) ? names[actor] : undefined;
  if (name) return name;
  // Entries written before team vaults name "this device" rather than a key.
  if (actor === 'this device') return 'A device of this vault';
  return `Device ${actor.slice(0, 8)}`;
}

const verbs: Readonly<Record<EntryAction, string>> = {
  checked: 'recorded a login check of',
  flagged: 'changed the rotation flag of',
  added: 'added',
  edited: 'edited',
  rotated: 'rotated the secret of',
  deleted: 'deleted',
};

/** "Alice added ghcr.io", "Bob rotated the secret of quay.io and 2 more". */
export function describeActivity(item: EntryActivity, nameOf: NameOf): string {
  const [first, ...rest] = item.registries.map((registry) => displayRegistry(registry) || 'a damaged entry');
  const what = rest.length === 0 ? first : `${first} and ${rest.length} more`;
  return `${nameOf(item.by)} ${verbs[item.action]} ${what}`;
}

/** The product page's names of the member-log roles. */
export const ROLE_LABELS: Readonly<Record<Role, string>> = {
  reader: 'Viewer',
  writer: 'Editor',
  manager: 'Manager',
  admin: 'Admin',
};

/** A member change in words, read from the signed record: "Alice added Bob as Editor". */
export function describeMemberEvent(event: MemberEvent, nameOf: NameOf): string {
  const who = nameOf(event.signer);
  const whom = nameOf(event.subject);
  if (event.index === 0) return `${who} created the vault`;
  if (event.action === 'rotate') return `${who} changed the vault key`;
  if (event.action === 'remove') return event.signer === event.subject ? `${who} left` : `${who} removed ${whom}`;
  if (event.before === undefined) return `${who} added ${whom} as ${ROLE_LABELS[event.role]}`;
  return `${who} changed the role of ${whom} from ${ROLE_LABELS[event.before]} to ${ROLE_LABELS[event.role]}`;
}

/**
 * The activity list in words, newest first: entry changes as their items say (checked by the judge), member
 * changes as the signed record at the item's index says, shown only when that record is the item author's.
 */
export function describeActivityList(
  items: readonly ActivityItem[],
  events: readonly MemberEvent[],
  nameOf: NameOf,
): { text: string; at: number }[] {
  const lines: { text: string; at: number }[] = [];
  for (const item of items) {
    if (item.action !== 'member') lines.push({ text: describeActivity(item, nameOf), at: item.at });
    else {
      const event = events[item.record];
      if (event?.signer === item.by) lines.push({ text: describeMemberEvent(event, nameOf), at: item.at });
    }
  }
  return lines;
}

/** A change every device refused, in words: who tried what (this device's own: that it stays here). */
export function describeRefused(change: RefusedChange, nameOf: NameOf): string {
  if (change.local) return `Your change was not sent: it ${change.reason}. It stays on this device only.`;
  if (change.own) return `Your team's apps refused your change: it ${change.reason}. It stays on this device only.`;
  return `Refused a change by ${nameOf(change.author)}: it ${change.reason}.`;
}

/** "Changed by Alice, 29 Nov 2026, 10:02" under an entry. */
export function describeChangedBy(
  updatedBy: string,
  updatedAt: number,
  nameOf: NameOf,
  format: (ms: number) => string,
) {
  return `Changed by ${nameOf(updatedBy)}, ${format(updatedAt)}`;
}
