// The words of the Activity list and of "Changed by": who (a member's name, or what is known of the key)
// did what to which registries. Authorship comes from signed, peer-checked data (update-judge.ts).
import type { ActivityItem, EntryAction } from '../../../shared/entries/activity';
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
  added: 'added',
  edited: 'edited',
  rotated: 'rotated the secret of',
  deleted: 'deleted',
};

/** "Alice added ghcr.io", "Bob rotated the secret of quay.io and 2 more". */
export function describeActivity(item: ActivityItem, nameOf: NameOf): string {
  const [first, ...rest] = item.registries.map((registry) => displayRegistry(registry) || 'a damaged entry');
  const what = rest.length === 0 ? first : `${first} and ${rest.length} more`;
  return `${nameOf(item.by)} ${verbs[item.action]} ${what}`;
}

/** A change every device refused, in words: who tried what. */
export function describeRefused(change: RefusedChange, nameOf: NameOf): string {
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
