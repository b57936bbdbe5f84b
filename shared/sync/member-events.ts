// The member log read as events for people (the Activity list): who added whom with which role,
// changed a role, or removed someone. Only for records the engine already verified.
import type { Role, WireMemberRecord } from './wire-records';

/** One verified member record: signer, subject (base64 keys), what it did, and the subject's role before. */
export type MemberEvent = Readonly<{
  index: number;
  signer: string;
  subject: string;
  action: 'add' | 'remove';
  role: Role;
  before: Role | undefined;
}>;

/** The events of a verified member log, in log order. */
export function listMemberEvents(records: readonly WireMemberRecord[]): MemberEvent[] {
  const roles = new Map<string, Role>();
  return records.map((record) => {
    const before = roles.get(record.subject);
    if (record.action === 'add') roles.set(record.subject, record.role);
    else roles.delete(record.subject);
    const { index, signer, subject, action, role } = record;
    return { index, signer, subject, action, role, before };
  });
}
