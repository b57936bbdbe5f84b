import { describe, expect, it } from 'vitest';
import { formatCommandLine, isApproved, parseCommandLine, refreshDueAt, refreshPresetFor } from './refresh-command';

const HOUR = 3_600_000;

describe('parseCommandLine', () => {
  it('splits on whitespace and groups quotes, expanding nothing', () => {
    expect(parseCommandLine(`aws ecr get-login-password --region "eu west" '$HOME' a\\ b`)).toEqual({
      ok: true,
      value: ['aws', 'ecr', 'get-login-password', '--region', 'eu west', '$HOME', 'a b'],
    });
    expect(parseCommandLine('   ')).toMatchObject({ ok: false, error: { code: 'empty-command' } });
    expect(parseCommandLine('aws "unclosed')).toMatchObject({ ok: false, error: { code: 'unclosed-quote' } });
  });

  it('reads back what formatCommandLine writes, argument for argument', () => {
    for (const argv of [
      ['gcloud', 'auth', 'print-access-token'],
      ['az', '--query', "it's", 'a b', '$(x)', '"q"', 'back\\slash'],
    ]) {
      expect(parseCommandLine(formatCommandLine(argv))).toEqual({ ok: true, value: argv });
    }
  });
});

describe('approval', () => {
  it('holds only for the exact argument vector that was allowed', () => {
    const argv = ['aws', 'ecr', 'get-login-password', '--region', 'eu-west-1'];
    expect(isApproved({ argv, approvedArgv: [...argv] })).toBe(true);
    expect(isApproved({ argv })).toBe(false);
    expect(isApproved({ argv, approvedArgv: [...argv.slice(0, 4), 'us-east-1'] })).toBe(false);
    expect(isApproved({ argv: [...argv, '--profile', 'x'], approvedArgv: argv })).toBe(false);
    expect(isApproved(undefined)).toBe(false);
  });
});

describe('refreshPresetFor', () => {
  it('fills the issue presets from the registry URL', () => {
    expect(refreshPresetFor('ecr', '123456789012.dkr.ecr.us-east-2.amazonaws.com')).toEqual({
      tool: 'aws',
      argv: ['aws', 'ecr', 'get-login-password', '--region', 'us-east-2'],
      username: 'AWS',
      lifetimeMs: 12 * HOUR,
    });
    expect(refreshPresetFor('acr', 'contoso.azurecr.io')).toMatchObject({
      argv: ['az', 'acr', 'login', '--name', 'contoso', '--expose-token', '--output', 'tsv', '--query', 'accessToken'],
      username: '00000000-0000-0000-0000-000000000000',
      lifetimeMs: 3 * HOUR,
    });
    expect(refreshPresetFor('gcr', 'gcr.io')).toMatchObject({
      argv: ['gcloud', 'auth', 'print-access-token'],
      username: 'oauth2accesstoken',
      lifetimeMs: HOUR,
    });
    expect(refreshPresetFor('ghcr', 'ghcr.io')).toBeUndefined();
  });

  it('refreshes at 90 % of a token life', () => {
    expect(refreshDueAt(0, 12 * HOUR)).toBe(10.8 * HOUR);
  });
});
