import { describe, expect, it } from 'vitest';
import { checkServiceAccountKey, decodeBase64, presetWarnings } from './preset-warnings';
import { ACR_TOKEN_USERNAME, detectPreset, getPreset, isPresetId, presetIds, registryPresets } from './presets';
import { toRegistryKey } from './registry-key';

function keyOf(input: string): string {
  const result = toRegistryKey(input);
  if (!result.ok) throw new Error(`test input ${input} is not a registry URL: ${result.reason}`);
  return result.key;
}

const serviceAccountKey = JSON.stringify({
  type: 'service_account',
  project_id: 'demo',
  private_key: '-----BEGIN PRIVATE KEY-----\nMII…\n-----END PRIVATE KEY-----\n',
  client_email: 'ci@demo.iam.gserviceaccount.com',
});

describe('registryPresets', () => {
  it('has exactly one preset per id, in the id list order', () => {
    expect(registryPresets.map((p) => p.id)).toEqual([...presetIds]);
    for (const id of presetIds) expect(getPreset(id).id).toBe(id);
  });

  it('default URLs normalize to keys their own preset detects', () => {
    for (const preset of registryPresets) {
      if (preset.defaultUrl === undefined) continue;
      expect(detectPreset(keyOf(preset.defaultUrl)).id).toBe(preset.id);
    }
  });

  it('carries the seed texts and conventions', () => {
    expect(getPreset('ghcr').secretHint).toContain('Personal access token with write:packages scope');
    expect(getPreset('gcr')).toMatchObject({
      defaultUsername: '_json_key',
      secretHint: 'Service account JSON key (entire file contents)',
      secretMultiline: true,
    });
    expect(getPreset('ecr')).toMatchObject({ defaultUsername: 'AWS', lifetimeMs: 12 * 3_600_000 });
    expect(getPreset('acr-entra')).toMatchObject({ defaultUsername: ACR_TOKEN_USERNAME, lifetimeMs: 3 * 3_600_000 });
    expect(getPreset('acr').lifetimeMs).toBeUndefined();
    expect(getPreset('docker-hub').tokenHelp).toBe(
      'Create an access token at Docker Hub → Account Settings → Security → Access Tokens.',
    );
    expect(getPreset('quay').usernameHint).toContain('org+robot');
    expect(getPreset('harbor').usernameHint).toContain('robot$name');
    expect(getPreset('gitlab').secretHint).toContain('read_registry and write_registry');
  });

  it('isPresetId accepts known ids only', () => {
    expect(isPresetId('ecr')).toBe(true);
    expect(isPresetId('nexus')).toBe(false);
  });
});

describe('detectPreset', () => {
  const cases: ReadonlyArray<readonly [string, string, string?]> = [
    ['docker.io', 'docker-hub'],
    ['https://index.docker.io/v1/', 'docker-hub'],
    ['ghcr.io', 'ghcr'],
    ['registry.gitlab.com', 'gitlab'],
    ['gitlab.acme.com:5050', 'gitlab'],
    ['gcr.io', 'gcr'],
    ['eu.gcr.io', 'gcr'],
    ['asia.gcr.io', 'gcr'],
    ['us-central1-docker.pkg.dev', 'gcr'],
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com', 'ecr'],
    ['123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn', 'ecr'],
    ['myregistry.azurecr.io', 'acr'],
    ['myregistry.azurecr.io', 'acr', 'my-app-id'],
    ['myregistry.azurecr.io', 'acr-entra', ACR_TOKEN_USERNAME],
    ['quay.io', 'quay'],
    ['harbor.acme.com', 'harbor'],
    ['demo.goharbor.io', 'harbor'],
    ['registry.example.com:5000', 'private'],
    ['localhost:5000', 'private'],
    ['gcr.io.evil.example', 'private'],
  ];
  for (const [input, id, username] of cases) {
    it(`${input} → ${id}${username === undefined ? '' : ` (username ${username})`}`, () => {
      expect(detectPreset(keyOf(input), username).id).toBe(id);
    });
  }
});

describe('presetWarnings', () => {
  it('is empty for a well-formed credential of each kind', () => {
    const good = [
      { key: keyOf('123456789012.dkr.ecr.us-east-1.amazonaws.com'), username: 'AWS', secret: 'eyJwYXlsb2Fk' },
      { key: keyOf('gcr.io'), username: '_json_key', secret: serviceAccountKey },
      { key: keyOf('us-central1-docker.pkg.dev'), username: '_json_key', secret: serviceAccountKey },
      { key: keyOf('docker.io'), username: 'alice', secret: 'dckr_pat_abc123' },
      { key: keyOf('myregistry.azurecr.io'), username: ACR_TOKEN_USERNAME, secret: 'eyJ0' },
      { key: keyOf('registry.example.com'), username: 'bob', secret: 'hunter2' },
    ];
    for (const input of good) expect(presetWarnings(input)).toEqual([]);
  });

  it('flags an ECR URL with a bad account id or region, and a username other than AWS', () => {
    const warnings = presetWarnings({ key: keyOf('1234.dkr.ecr.moon-base.amazonaws.com'), username: 'admin' });
    expect(warnings.map((w) => w.field).sort()).toEqual(['registry', 'registry', 'username']);
    expect(warnings.map((w) => w.message).join(' ')).toContain('12-digit');
    expect(warnings.map((w) => w.message).join(' ')).toContain('expects the username AWS');
  });

  it('flags an ACR name with hyphens or the wrong length', () => {
    expect(presetWarnings({ key: keyOf('my-registry.azurecr.io') })).toEqual([
      { field: 'registry', message: expect.stringContaining('5–50 letters and digits') },
    ]);
    expect(presetWarnings({ key: keyOf('abc.azurecr.io') })).toHaveLength(1);
  });

  it('flags an Artifact Registry location that is not a GCP location', () => {
    expect(presetWarnings({ key: keyOf('us-central-docker.pkg.dev') })).toHaveLength(1);
  });

  it('checks GCR usernames and JSON keys', () => {
    const key = keyOf('eu.gcr.io');
    expect(presetWarnings({ key, username: 'alice' })[0]).toMatchObject({ field: 'username' });
    expect(presetWarnings({ key, username: 'oauth2accesstoken', secret: 'ya29.token' })).toEqual([]);
    expect(presetWarnings({ key, username: '_json_key', secret: 'not json' })[0]?.message).toContain('not valid JSON');
    const userKey = JSON.stringify({ type: 'authorized_user', client_id: 'x' });
    expect(presetWarnings({ key, username: '_json_key', secret: userKey })[0]?.message).toContain('service_account');
  });

  it('decodes _json_key_base64 secrets before checking them', () => {
    const key = keyOf('gcr.io');
    const base64 = Buffer.from(serviceAccountKey).toString('base64');
    expect(presetWarnings({ key, username: '_json_key_base64', secret: base64 })).toEqual([]);
    expect(presetWarnings({ key, username: '_json_key_base64', secret: '%%%' })[0]?.message).toContain('base64');
  });

  it('suggests an access token when a Docker Hub secret looks like a password', () => {
    const warnings = presetWarnings({ key: keyOf('docker.io'), username: 'alice', secret: 'correct horse' });
    expect(warnings).toEqual([
      { field: 'secret', message: expect.stringContaining('access token instead of a password') },
    ]);
    const uuidToken = '0f8e1c2a-1234-4abc-9def-0123456789ab';
    expect(presetWarnings({ key: keyOf('docker.io'), username: 'alice', secret: uuidToken })).toEqual([]);
  });

  it('warns when a chosen preset does not fit the URL', () => {
    const warnings = presetWarnings({ key: keyOf('ghcr.io'), presetId: 'ecr' });
    expect(warnings[0]).toMatchObject({ field: 'registry', message: expect.stringContaining('Amazon ECR') });
    expect(presetWarnings({ key: keyOf('teamregistry.azurecr.io'), presetId: 'acr-entra', username: 'sp' })).toEqual([
      { field: 'username', message: expect.stringContaining(ACR_TOKEN_USERNAME) },
    ]);
  });
});

describe('checkServiceAccountKey and decodeBase64', () => {
  it('accepts a service account key and rejects arrays and partial keys', () => {
    expect(checkServiceAccountKey(serviceAccountKey)).toBeUndefined();
    expect(checkServiceAccountKey('[]')).toContain('JSON object');
    expect(checkServiceAccountKey('{"type":"service_account"}')).toContain('private_key');
  });

  it('matches Node for valid input and refuses malformed base64', () => {
    for (const text of ['', 'a', 'ab', 'abc', '{"type":"service_account"}', 'x'.repeat(1000)]) {
      expect(decodeBase64(Buffer.from(text).toString('base64'))).toBe(text);
    }
    expect(decodeBase64('abc')).toBeUndefined();
    expect(decodeBase64('ab=c')).toBeUndefined();
  });
});
