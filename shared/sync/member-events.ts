// The member log read as events for people (the Activity list): who added whom with which role,
// changed a role, removed someone (or left), or changed the vault key. Only for records the engine already verified.
import type { Role, WireMemberRecord } from './wire-records';

/**
 * One verified member record: signer, subject (base64 keys), what it did, and the subject's role before.
 * A `rotate` record's subject is the commitment to the new key, not a member; `epoch` is the new epoch.
 */
export type MemberEvent = Readonly<{
  index: number;
  signer: string;
  subject: string;
  action: 'add' | 'remove' | 'rotate';
  role: Role;
  before: Role | undefined;
  epoch?: number;
}>;

/** The events of a verified member log, in log order. */
export function listMemberEvents(records: readonly WireMemberRecord[]): MemberEvent[] {
  const roles = new Map<string, Role>();
  let epoch = 0;
  return records.map((record) => {
    const { index, signer, subject, action, role } = record;
    if (action === 'rotate') {
      epoch += 1;
      return { index, signer, subject, action, role, before: undefined, epoch };
    }
    const before = roles.get(subject);
    if (action === 'add') roles.set(subject, role);
    else roles.delete(subject);
    return { index, signer, subject, action, role, before };
  });
}
