import { describe, expect, it } from 'vitest';
import { findChallenge, parseAuthChallenges } from './challenge';

describe('parseAuthChallenges', () => {
  it('reads a Basic challenge', () => {
    expect(parseAuthChallenges('Basic realm="Registry Realm"')).toEqual([
      { scheme: 'basic', params: { realm: 'Registry Realm' } },
    ]);
  });

  it('lower-cases scheme and parameter names but keeps values (Nexus sends BASIC)', () => {
    expect(parseAuthChallenges('BASIC REALM="Sonatype Nexus"')).toEqual([
      { scheme: 'basic', params: { realm: 'Sonatype Nexus' } },
    ]);
  });

  it("reads Docker Hub's Bearer challenge", () => {
    const header = 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io"';
    expect(parseAuthChallenges(header)).toEqual([
      { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io' } },
    ]);
  });

  it('keeps commas and escaped quotes inside quoted values', () => {
    const header = 'Bearer realm="https://x/token?a=1,b=2", scope="repository:a/b:pull,push", error="say \\"hi\\""';
    expect(parseAuthChallenges(header)[0]?.params).toEqual({
      realm: 'https://x/token?a=1,b=2',
      scope: 'repository:a/b:pull,push',
      error: 'say "hi"',
    });
  });

  it('splits several challenges in one header, with spaces around = and ,', () => {
    const challenges = parseAuthChallenges('Basic realm = "a, b" ,  Bearer realm="https://r/t" , service = svc');
    expect(challenges).toEqual([
      { scheme: 'basic', params: { realm: 'a, b' } },
      { scheme: 'bearer', params: { realm: 'https://r/t', service: 'svc' } },
    ]);
  });

  it('accepts unquoted URL values that are not RFC tokens', () => {
    expect(
      parseAuthChallenges('Bearer realm=https://gitlab.example.com/jwt/auth,service=container_registry')[0]?.params,
    ).toEqual({
      realm: 'https://gitlab.example.com/jwt/auth',
      service: 'container_registry',
    });
  });

  it('reads a token68 and a bare scheme, then the next challenge', () => {
    expect(parseAuthChallenges('Negotiate abc+/123==, Basic, Bearer realm="r"')).toEqual([
      { scheme: 'negotiate', params: {}, token68: 'abc+/123==' },
      { scheme: 'basic', params: {} },
      { scheme: 'bearer', params: { realm: 'r' } },
    ]);
  });

  it('returns nothing for an empty header', () => {
    expect(parseAuthChallenges('')).toEqual([]);
  });

  it('finds a challenge by scheme regardless of case', () => {
    const challenges = parseAuthChallenges('Basic realm="a", Bearer realm="b"');
    expect(findChallenge(challenges, 'BEARER')?.params['realm']).toBe('b');
    expect(findChallenge(challenges, 'digest')).toBeUndefined();
  });
});
