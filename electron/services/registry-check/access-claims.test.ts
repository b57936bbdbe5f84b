import { describe, expect, it } from 'vitest';
import { readGrantedActions } from './access-claims';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const token = (claims: unknown) => `${b64({ alg: 'ES256', typ: 'JWT' })}.${b64(claims)}.sig`;

describe('rights from a registry token’s access claims', () => {
  it('takes only the actions granted on the repository asked about', () => {
    const access = [
      { type: 'repository', name: 'team/api', actions: ['pull'] },
      { type: 'repository', name: 'team/web', actions: ['pull', 'push'] },
      { type: 'registry', name: 'team/api', actions: ['push'] },
    ];
    expect(readGrantedActions(token({ access }), 'team/api')).toEqual({ pull: true, push: false });
    expect(readGrantedActions(token({ access }), 'team/web')).toEqual({ pull: true, push: true });
    expect(readGrantedActions(token({ access }), 'team/none')).toEqual({ pull: false, push: false });
  });

  it('reads * as every action, and an empty access list as none', () => {
    const all = [{ type: 'repository', name: 'a/b', actions: ['*'] }];
    expect(readGrantedActions(token({ access: all }), 'a/b')).toEqual({ pull: true, push: true });
    expect(readGrantedActions(token({ access: [] }), 'a/b')).toEqual({ pull: false, push: false });
  });

  it('says nothing for an opaque token or a JWT without an access array (the API is probed instead)', () => {
    expect(readGrantedActions('djE6dGVhbS9hcGk6MTcwMDAwMDAwMA==', 'team/api')).toBeUndefined();
    expect(readGrantedActions(token({ sub: 'x' }), 'team/api')).toBeUndefined();
    expect(readGrantedActions(token({ access: 'pull' }), 'team/api')).toBeUndefined();
  });
});
