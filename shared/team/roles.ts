// Roles as people see them: the member log's roles under the product page's names and IAM permissions,
// what each may do in the vault, and the sentence shown where an action is refused.
import { canDelete, canWrite } from '../sync/members';
import type { Role } from '../sync/wire-records';

/** The role names the screens show. */
export const ROLE_LABELS: Readonly<Record<Role, string>> = {
  reader: 'Viewer',
  writer: 'Editor',
  manager: 'Manager',
  admin: 'Admin',
};

const READ = 'iam:project:cicd:registry:read';
const WRITE = 'iam:project:cicd:registry:write';
const DELETE = 'iam:project:cicd:registry:delete';

/** The product page's permissions each role holds (Admin also manages members and roles). */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly string[]>> = {
  reader: [READ],
  writer: [READ, WRITE],
  manager: [READ, WRITE, DELETE],
  admin: [READ, WRITE, DELETE],
};

/** Roles in the order an admin picks from, least first. */
export const ROLES_IN_ORDER: readonly Role[] = ['reader', 'writer', 'manager', 'admin'];

/** What a role may do in a vault. */
export type Rights = Readonly<{ role: Role; write: boolean; delete: boolean; admin: boolean }>;

/** The rights of a role. */
export function rightsOf(role: Role): Rights {
  return { role, write: canWrite(role), delete: canDelete(role), admin: role === 'admin' };
}

/** A role with its permissions, e.g. "Editor — iam:project:cicd:registry:read, …:write". */
export function describeRole(role: Role): string {
  const [first, ...rest] = ROLE_PERMISSIONS[role];
  const more = rest.map((p) => `…:${p.split(':').at(-1) ?? p}`);
  const admin = role === 'admin' ? ', members and roles' : '';
  return `${ROLE_LABELS[role]} — ${[first, ...more].join(', ')}${admin}`;
}

/** An action that needs a right. */
export type GuardedAction = 'add' | 'edit' | 'delete' | 'rename' | 'members';

/** Why `rights` do not allow `action`, in the product page's words; null when they do. */
export function refusalFor(rights: Rights, action: GuardedAction): string | null {
  const you = `you are ${rights.role === 'admin' ? 'an' : 'a'} ${ROLE_LABELS[rights.role]} of this vault`;
  switch (action) {
    case 'add':
    case 'edit':
      return rights.write ? null : `Verify you have write permission (${WRITE}): ${you}. Ask an admin for Editor.`;
    case 'delete':
      return rights.delete ? null : `Verify you have delete permission (${DELETE}): ${you}. Ask an admin for Manager.`;
    case 'rename':
    case 'members':
      return rights.admin ? null : `Only an admin can do this: ${you}.`;
  }
}
