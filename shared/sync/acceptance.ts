// The one rule, for relay and engine alike, of whether an author may write an envelope at the position it
// names under the epoch it names (protocol.md §4–§6): standing at that position (role, frozen counters,
// rotation counters), a writer's role, the epoch in force there, and a counter above the author's last.
// The relay maps a refusal to its error codes; a peer treats any as forged (the relay checks the same).
// The signature is checked by each side with its own verifier, and the content by the judge (judge.ts).
import { epochAt } from './epochs';
import { canWrite, type MemberState } from './members';
import { standingAt } from './member-standing';
import type { Role } from './wire-records';

/** The signed fields of an envelope the rule reads. */
export type EnvelopeClaim = Readonly<{ author: string; counter: number; members: number; epoch: number }>;

/** Why an envelope may not be written (`standing`: no standing at its position; `role`: not a writer there). */
export type EnvelopeRefusal = Readonly<{ rule: 'standing' | 'role' | 'epoch' | 'replay'; why: string }>;

/** The role an envelope is written under, or why it is refused; `last` is the author's last accepted counter. */
export function acceptEnvelope(
  state: MemberState,
  claim: EnvelopeClaim,
  last: number,
): Readonly<{ role: Role }> | EnvelopeRefusal {
  const standing = standingAt(state, claim.author, claim.counter, claim.members);
  if ('refused' in standing) return { rule: 'standing', why: standing.refused };
  if (!canWrite(standing.role)) return { rule: 'role', why: 'had no write access at that position' };
  if (claim.epoch !== epochAt(state, claim.members))
    return {
      rule: 'epoch',
      why: `epoch ${claim.epoch} is not the one in force at member-log position ${claim.members}`,
    };
  if (claim.counter <= last) return { rule: 'replay', why: `counter ${claim.counter} is not above ${last}` };
  return { role: standing.role };
}
