// The sentences of removing members and leaving (issue #14): the confirmation, the rotation flag's
// reason and what happened afterwards. Pure, so the words are tested without a relay.
import type { PersonCard } from '../../../../shared/team/people';

/** "Carol", "Carol and Dave", "Carol, Dave and Erin": the people behind removed device keys, by their cards. */
export function namePeople(keys: readonly string[], people: ReadonlyMap<string, PersonCard>): string {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const key of keys) {
    const card = people.get(key);
    const id = card?.person ?? `key:${key}`;
    if (seen.has(id)) continue;
    seen.add(id);
    names.push(card?.name ?? `Device ${key.slice(0, 8)}`);
  }
  if (names.length <= 1) return names[0] ?? 'A removed device';
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1) ?? ''}`;
}

/**
 * The people who left a vault (or were removed) while its key was not changed yet, one name each, for the
 * member list: "Bob: left, key not changed yet".
 */
export function describeLeftPeople(keys: readonly string[], people: ReadonlyMap<string, PersonCard>): string[] {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const key of keys) {
    const card = people.get(key);
    const id = card?.person ?? `key:${key}`;
    if (seen.has(id)) continue;
    seen.add(id);
    lines.push(`${card?.name ?? `Device ${key.slice(0, 8)}`}: left, key not changed yet`);
  }
  return lines;
}

/** The rotation flag's reason on every entry: "Carol had access". */
export function describeHadAccess(names: string): string {
  return `${names} had access`;
}

/** What a removal does, said before the admin confirms it. */
export function describeRemoval(who: string, devices: number): readonly string[] {
  const whose = devices > 1 ? `${who}'s ${devices} devices` : who;
  return [
    `${whose} will lose access to everything written to this vault from now on: the vault gets a new key that only the remaining members receive.`,
    `What ${who} already saw cannot be taken back. Every entry is flagged "Rotation recommended": change those secrets at their registries, then enter the new ones here.`,
  ];
}

/** What leaving does, said before the member confirms it. */
export function describeLeaving(vaultName: string): readonly string[] {
  return [
    `You stop receiving '${vaultName}', and it is deleted from this device. To come back, an admin has to invite you again.`,
    "The team's admins change the vault key, and every entry is flagged for rotation, since you saw its secrets.",
  ];
}

/** After the step: removed, the new key, flags, and devices that could not get the key. */
export function describeRotationOutcome(
  names: string,
  outcome: Readonly<{ flagged: number; unreached: number; removed: boolean }>,
): string {
  const parts = [
    outcome.removed
      ? `${names} removed; the vault key changed.`
      : `The vault key changed: ${names} no longer reads anything new.`,
  ];
  if (outcome.flagged > 0) {
    parts.push(
      `${outcome.flagged} ${outcome.flagged === 1 ? 'entry is' : 'entries are'} flagged "Rotation recommended".`,
    );
  }
  if (outcome.unreached > 0) parts.push(describeUnreached(outcome.unreached));
  return parts.join(' ');
}

/** "2 devices could not get the new key: link them again". */
export function describeUnreached(count: number): string {
  const devices = count === 1 ? '1 device' : `${count} devices`;
  return `${devices} could not get the new key: link ${count === 1 ? 'it' : 'them'} again (they joined before this version of Regvault).`;
}
