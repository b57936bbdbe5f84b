import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { REGISTRY_IMMUTABLE_MESSAGE, addEntry, type Entry } from '../../../shared/entries';
import { createManualContext } from '../../../shared/entries/test-context';
import {
  blankForm,
  choosePreset,
  followTypedUrl,
  formFromEntry,
  formWarnings,
  messagesOf,
  showsTlsOptions,
  toEntryPatch,
  toNewEntryInput,
  type EntryFormFields,
} from './entry-form';

const ecrForm: EntryFormFields = {
  ...blankForm('ecr'),
  registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
  secret: 'token',
};

function entry(): Entry {
  const added = addEntry(new Y.Doc(), { registry: 'ghcr.io', username: 'u', secret: 's' }, createManualContext('a'));
  if (!added.ok) throw new Error(added.error.message);
  return added.value;
}

describe('presets in the form', () => {
  it('fills the fixed URL and username of a preset, and replaces them only while untouched', () => {
    expect(blankForm('gcr')).toMatchObject({ registry: 'gcr.io', username: '_json_key' });
    const ecr = choosePreset(blankForm('gcr'), 'ecr');
    expect(ecr).toMatchObject({ presetId: 'ecr', registry: '', username: 'AWS' });
    const typed = choosePreset({ ...blankForm('docker-hub'), registry: 'myreg.example.com', username: 'me' }, 'ghcr');
    expect(typed).toMatchObject({ presetId: 'ghcr', registry: 'myreg.example.com', username: 'me' });
  });

  it('lets the preset follow the typed URL (and username), keeping it while the URL does not parse', () => {
    const typed = (registry: string, username = '') => followTypedUrl({ ...blankForm(), registry, username }).presetId;
    expect(typed('ghcr.io')).toBe('ghcr');
    expect(typed('registry.example.com:5000')).toBe('private');
    expect(typed('123456789012.dkr.ecr.eu-west-1.amazonaws.com')).toBe('ecr');
    expect(typed('quay.io', 'org+robot')).toBe('quay');
    expect(typed('docker.io')).toBe('docker-hub');
    expect(typed('https://ghcr.io/')).toBe('ghcr');
    // Half-typed or invalid: the preset stays as it was.
    expect(typed('ghcr.io/owner')).toBe('docker-hub');
    expect(typed('')).toBe('docker-hub');
  });

  it('offers plain HTTP and a CA certificate for self-hostable registries only', () => {
    expect(showsTlsOptions(blankForm('private'))).toBe(true);
    expect(showsTlsOptions(blankForm('harbor'))).toBe(true);
    expect(showsTlsOptions(blankForm('ghcr'))).toBe(false);
    expect(showsTlsOptions({ ...blankForm('ghcr'), insecure: true })).toBe(true);
  });

  it('warns about preset conventions without blocking, and says nothing while the URL is invalid', () => {
    expect(formWarnings({ ...ecrForm, username: 'admin' }).username).toContain('expects the username AWS');
    expect(formWarnings({ ...blankForm('docker-hub'), secret: 'hunter2' }).secret).toContain('access token');
    expect(formWarnings({ ...blankForm('docker-hub'), registry: 'hub.docker.com' })).toEqual({});
  });
});

describe('toNewEntryInput', () => {
  it('splits pipelines on commas and new lines and parses the numbers', () => {
    const result = toNewEntryInput({ ...ecrForm, pipelines: 'build, deploy\n\nnightly ,', rotateEveryDays: ' 30 ' });
    expect(result).toEqual({
      ok: true,
      value: expect.objectContaining({
        presetId: 'ecr',
        pipelines: ['build', 'deploy', 'nightly'],
        rotateEveryDays: 30,
      }),
    });
    const blank = toNewEntryInput({ ...ecrForm, pipelines: ' , ' });
    expect(blank.ok && blank.value.pipelines).toEqual([]);
  });

  it('leaves the expiry empty so the model applies the preset lifetime, and lets "private" be detected', () => {
    const result = toNewEntryInput({
      ...blankForm('private'),
      registry: 'harbor.acme.com',
      username: 'u',
      secret: 's',
    });
    expect(result.ok && result.value.expiresAt).toBeUndefined();
    expect(result.ok && result.value.presetId).toBeUndefined();
  });

  it('refuses a bad expiry or rotation interval at its field', () => {
    const expiry = toNewEntryInput({ ...ecrForm, expires: 'soon' });
    expect(!expiry.ok && expiry.error.fields.map((f) => f.field)).toEqual(['expires']);
    const rotation = toNewEntryInput({ ...ecrForm, rotateEveryDays: '2.5' });
    expect(!rotation.ok && rotation.error.fields.map((f) => f.field)).toEqual(['rotateEveryDays']);
  });
});

describe('toEntryPatch', () => {
  const original: EntryFormFields = { ...ecrForm, secret: '', expires: '2030-01-01T10:00' };

  it('sends the expiry only when it was changed, and null when it was cleared', () => {
    const untouched = toEntryPatch({ ...original, secret: 'new-token' }, original);
    expect(untouched.ok && untouched.value.expiresAt).toBeUndefined();
    const cleared = toEntryPatch({ ...original, expires: '' }, original);
    expect(cleared.ok && cleared.value.expiresAt).toBeNull();
    const moved = toEntryPatch({ ...original, expires: '2031-01-01T10:00' }, original);
    expect(moved.ok && moved.value.expiresAt).toBe(new Date(2031, 0, 1, 10, 0).getTime());
  });

  it('never sends the registry, and keeps a blank password blank (the model keeps the secret)', () => {
    const patch = toEntryPatch(original, original);
    expect(patch.ok && patch.value).not.toHaveProperty('registry');
    expect(patch.ok && patch.value.secret).toBe('');
    expect(patch.ok && patch.value.rotateEveryDays).toBeNull();
  });
});

describe('messagesOf', () => {
  it("routes the model's field errors to the form fields, without any field-name prefix", () => {
    const registry = { field: 'registry', message: 'docker.io already has an entry' } as const;
    expect(messagesOf({ code: 'registry-exists', message: registry.message, fields: [registry] })).toEqual({
      registry: registry.message,
    });
    expect(
      messagesOf({
        code: 'registry-immutable',
        message: REGISTRY_IMMUTABLE_MESSAGE,
        fields: [{ field: 'registry', message: REGISTRY_IMMUTABLE_MESSAGE }],
      }),
    ).toEqual({ registry: REGISTRY_IMMUTABLE_MESSAGE });
    const secret = 'Enter the password, access token or key.';
    expect(
      messagesOf({ code: 'invalid-input', message: secret, fields: [{ field: 'secret', message: secret }] }),
    ).toEqual({ secret });
    const expiry = { field: 'expiresAt', message: 'Pick an expiry date.' } as const;
    const pipelines = { field: 'pipelines', message: 'Keep each pipeline name short.' } as const;
    expect(messagesOf({ code: 'invalid-input', message: 'x', fields: [expiry, pipelines] })).toEqual({
      expires: expiry.message,
      pipelines: pipelines.message,
    });
  });

  it('puts a failure without fields, or about a field the form lacks, on the whole form', () => {
    expect(messagesOf({ code: 'locked', message: 'Open a vault first.' })).toEqual({ form: 'Open a vault first.' });
    expect(
      messagesOf({ code: 'invalid-input', message: 'Why?', fields: [{ field: 'reason', message: 'Why?' }] }),
    ).toEqual({ form: 'Why?' });
  });

  it("routes the form's own conversion errors to their field", () => {
    const bad = toNewEntryInput({ ...blankForm(), rotateEveryDays: '1.5' });
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(messagesOf(bad.error)).toEqual({ rotateEveryDays: 'Enter a whole number of days, or leave it empty.' });
  });
});

describe('datetime-local values', () => {
  it('round-trips local time at minute precision and refuses non-dates', () => {
    const ms = new Date(2026, 2, 14, 9, 5).getTime();
    const expiresAt = (expires: string) => {
      const result = toNewEntryInput({ ...ecrForm, expires });
      return result.ok ? result.value.expiresAt : result.error.fields.map((f) => f.field);
    };
    expect(formFromEntry({ ...entry(), expiresAt: ms }).expires).toBe('2026-03-14T09:05');
    expect(expiresAt('2026-03-14T09:05')).toBe(ms);
    expect(expiresAt('2026-13-45T99:99')).toEqual(['expires']);
    expect(expiresAt('tomorrow')).toEqual(['expires']);
  });
});
