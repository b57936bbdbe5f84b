// Judging an envelope's author against a verified member log (§4): the role it held at the member-log
// position its envelope names, capped by any later record that took a right away and by the counter any
// later `rotate` record fixed for it (§7c). Relay and peers use the same functions, so they decide alike.
import { canWrite, type MemberState } from './members';
import type { Role } from './wire-records';

/** Whether `author` may have signed an envelope with `counter`: a writer now, or a former one up to its frozen counter. */
export function mayAuthor(state: MemberState, author: string, counter: number): boolean {
  if (canWrite(state.roles.get(author))) return true;
  const frozen = state.frozen.get(author);
  return frozen !== undefined && counter <= frozen;
}

/** Why an envelope's author had no standing, or its role: judged at the log `position` its envelope names. */
export type AuthorStanding = Readonly<{ role: Role } | { refused: string }>;

/**
 * The role under which `author`'s envelope with `counter`, written at member-log `position` (records
 * 0…position−1 applied), is judged. A record at or after that position that took a right away from the
 * author caps its counters at that record's `last`: an author cannot name an old position to use a right
 * it lost, while what it wrote before losing it stays valid.
 */
export function standingAt(state: MemberState, author: string, counter: number, position: number): AuthorStanding {
  if (!Number.isSafeInteger(position) || position < 1 || position > state.length) {
    return { refused: `position ${position} is outside the member log (1…${state.length})` };
  }
  let role: Role | undefined;
  for (const change of state.timeline.get(author) ?? []) {
    if (change.index < position) role = change.role;
    else if (change.last !== undefined && counter > change.last) {
      return { refused: `written after record ${change.index} took a right away (its last counter ${change.last})` };
    }
  }
  if (role === undefined) return { refused: 'not a member at that position' };
  // A rotation at or after the position fixed the author's counter: anything above it was written after
  // the old epoch ended (under a key removed devices hold), whatever position it names.
  for (const rotation of state.rotations) {
    if (rotation.index < position) continue;
    const cap = rotation.counters.get(author);
    if (cap !== undefined && counter > cap)
      return { refused: `written after the key rotation at record ${rotation.index} (its counter there was ${cap})` };
  }
  return { role };
}
