import { describe, expect, it } from 'vitest';
import { encodeBase64, encodeUtf8 } from '../crypto/bytes';
import { parseGithubExpiry, readEcrExpiry, readJwtExpiry, readTokenExpiry } from './token-expiry';

const base64 = (text: string) => encodeBase64(encodeUtf8(text));
const base64url = (text: string) => base64(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** A JWT shaped like a GCP identity token or an ACR (Entra) access token: RS256 header, `exp` in seconds. */
function jwt(
  claims: Record<string, unknown>,
  header: Record<string, unknown> = { alg: 'RS256', kid: 'k1', typ: 'JWT' },
) {
  return `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}.c2lnbmF0dXJlLW5vdC1jaGVja2Vk`;
}

/** The password `aws ecr get-login-password` prints: base64 of JSON with payload, datakey, version, type, expiration. */
function ecrPassword(expiration: unknown): string {
  return base64(
    JSON.stringify({
      payload: 'AQIDAHhb3xMJ1kKJ1kS1sTV0dGQ3p5N1ZtQnZ5bnFvR2c9PQ+/==',
      datakey: 'AQEBAHhb3xMJ1kKJ1kS1sTV0dGQ3p5N1ZtQnZ5bnFvR2c9PQ==',
      version: '2',
      type: 'DATA_KEY',
      expiration,
    }),
  );
}

describe('expiry read from the token itself', () => {
  const exp = 1_893_456_000; // 2030-01-01T00:00:00Z

  it('reads a JWT exp (seconds) as epoch ms', () => {
    const token = jwt({
      aud: 'https://example.azurecr.io',
      exp,
      iat: exp - 3 * 3600,
      iss: 'https://sts.windows.net/t/',
    });
    expect(readJwtExpiry(token)).toBe(exp * 1000);
    expect(readTokenExpiry(token)).toEqual({ at: exp * 1000, from: 'jwt' });
  });

  it('reads an ECR authorization token, bare and as AWS:<token>', () => {
    expect(readEcrExpiry(ecrPassword(exp))).toBe(exp * 1000);
    expect(readTokenExpiry(ecrPassword(exp))).toEqual({ at: exp * 1000, from: 'ecr' });
    const authorizationToken = base64(`AWS:${ecrPassword(exp)}`);
    expect(readTokenExpiry(authorizationToken)).toEqual({ at: exp * 1000, from: 'ecr' });
  });

  it('ignores passwords, opaque tokens and lookalikes', () => {
    for (const secret of [
      'correct horse battery staple',
      'ghp_16C7e42F292c6912E7710c838347Ae178B4a',
      'dckr_pat_2YotnFZFEjr1zCsicMWpAA',
      jwt({ sub: 'no-exp' }),
      jwt({ exp: 'soon' }),
      `${base64url('{"typ":"JWT"}')}.${base64url(JSON.stringify({ exp }))}.sig`, // no alg: not a JWS header
      base64(JSON.stringify({ payload: 'x', expiration: exp })), // not all ECR fields
      ecrPassword('tomorrow'),
      ecrPassword(-5),
    ]) {
      expect(readTokenExpiry(secret), secret).toBeUndefined();
    }
  });

  it('parses GitHub’s github-authentication-token-expiration header', () => {
    expect(parseGithubExpiry('2030-01-01 00:00:00 UTC')).toBe(exp * 1000);
    expect(parseGithubExpiry('2030-01-01 01:00:00 +0100')).toBe(exp * 1000);
    expect(parseGithubExpiry('2030-01-01T00:00:00Z')).toBe(exp * 1000);
    expect(parseGithubExpiry('never')).toBeUndefined();
  });
});
