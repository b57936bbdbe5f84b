import { expect, test } from 'vitest';
import { describeRole, refusalFor, rightsOf, ROLE_LABELS } from './roles';

test('roles carry the product page names and permissions', () => {
  expect(ROLE_LABELS).toEqual({ reader: 'Viewer', writer: 'Editor', manager: 'Manager', admin: 'Admin' });
  expect(describeRole('reader')).toBe('Viewer — iam:project:cicd:registry:read');
  expect(describeRole('manager')).toBe('Manager — iam:project:cicd:registry:read, …:write, …:delete');
});

test('a refused action says why in the product page words', () => {
  expect(refusalFor(rightsOf('writer'), 'delete')).toMatch(
    /^Verify you have delete permission \(iam:project:cicd:registry:delete\)/,
  );
  expect(refusalFor(rightsOf('reader'), 'add')).toMatch(/^Verify you have write permission/);
  expect(refusalFor(rightsOf('reader'), 'edit')).toContain('you are a Viewer');
  expect(refusalFor(rightsOf('manager'), 'delete')).toBeNull();
  expect(refusalFor(rightsOf('manager'), 'rename')).toMatch(/Only an admin/);
  expect(refusalFor(rightsOf('admin'), 'members')).toBeNull();
});
