import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { LOGIN_CHECK_CODES, describeLoginCheckCodes } from '../../../shared/registry/login-check-codes';
import type { HintContext } from './hints';
import { selectHint } from './hints';

const base: HintContext = {
  code: 'unauthorized',
  kind: 'other',
  authority: 'registry.example.com',
  portGiven: false,
  detail: 'none',
  caGiven: false,
  anonymous: false,
};

describe('selectHint', () => {
  it('tells ECR users that tokens expire every 12 hours', () => {
    const hint = selectHint({ ...base, kind: 'ecr' });
    expect(hint).toContain('ECR tokens expire every 12 hours');
    expect(hint).toContain('regenerate the authorization token');
  });

  it('tells Docker Hub users to use an access token', () => {
    expect(selectHint({ ...base, kind: 'docker-hub' })).toContain(
      'For Docker Hub, use an access token instead of password',
    );
  });

  it('asks others to verify the username and the expiry', () => {
    const hint = selectHint(base);
    expect(hint).toContain('Verify username is correct.');
    expect(hint).toContain('Check if password/token has expired');
    expect(hint).not.toContain('ECR');
  });

  it('says use docker.io when hub.docker.com is not a registry', () => {
    expect(selectHint({ ...base, code: 'not-a-registry', kind: 'docker-hub-website' })).toBe(
      'For Docker Hub, use docker.io not hub.docker.com.',
    );
    expect(selectHint({ ...base, code: 'not-a-registry' })).toContain(
      'Include port number if using non-standard ports.',
    );
  });

  it('asks for permissions on 403', () => {
    expect(selectHint({ ...base, code: 'forbidden' })).toContain('Ensure token has required permissions (push/pull)');
  });

  it('gives self-signed guidance, and a different one when the CA given is wrong', () => {
    expect(selectHint({ ...base, code: 'tls-untrusted' })).toContain(
      "Self-signed certificates need the registry's CA certificate",
    );
    expect(selectHint({ ...base, code: 'tls-untrusted', caGiven: true })).toContain('does not sign');
  });

  it('asks whether HTTPS is supported when the port speaks plain HTTP', () => {
    expect(selectHint({ ...base, code: 'tls-error', detail: 'not-tls' })).toContain(
      'Ensure HTTPS is supported by the registry.',
    );
  });

  it('names the port on a refused connection when one was given', () => {
    expect(selectHint({ ...base, code: 'refused', portGiven: true, authority: 'r.example.com:5000' })).toContain(
      'listens on r.example.com:5000',
    );
    expect(selectHint({ ...base, code: 'refused' })).toContain('Include port number if using non-standard ports.');
  });

  it('has no hint for a plain success, and a caution for an anonymous one', () => {
    expect(selectHint({ ...base, code: 'ok' })).toBe('');
    expect(selectHint({ ...base, code: 'ok', anonymous: true })).toContain('were not tested');
  });

  it('has a hint for every failure code', () => {
    for (const code of LOGIN_CHECK_CODES.filter((c) => c !== 'ok')) {
      expect(selectHint({ ...base, code }).length, code).toBeGreaterThan(20);
    }
  });
});

/** The cells of the markdown table rows of a document, trimmed (Prettier pads them). */
function readTableRows(markdown: string): string[][] {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
}

describe('login check codes', () => {
  it('are all documented in docs/login-check.md with their meaning', async () => {
    const rows = readTableRows(await readFile(new URL('../../../docs/login-check.md', import.meta.url), 'utf8'));
    const described = describeLoginCheckCodes();
    expect(described.map((entry) => entry.code)).toEqual([...LOGIN_CHECK_CODES]);
    for (const { code, meaning } of described) {
      const row = rows.find((cells) => cells[0] === `\`${code}\``);
      expect(row?.[1], code).toBe(meaning);
    }
  });
});
