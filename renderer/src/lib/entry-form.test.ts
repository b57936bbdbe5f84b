import { describe, expect, it } from 'vitest';
import { REGISTRY_IMMUTABLE_MESSAGE } from '../../../shared/entries';
import {
  blankForm,
  choosePreset,
  fieldOfError,
  formWarnings,
  fromLocalInput,
  showsTlsOptions,
  splitPipelines,
  toEntryPatch,
  toLocalInput,
  toNewEntryInput,
  type EntryFormFields,
} from './entry-form';

const ecrForm: EntryFormFields = {
  ...blankForm('ecr'),
  registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
  secret: 'token',
};

describe('presets in the form', () => {
  it('fills the fixed URL and username of a preset, and replaces them only while untouched', () => {
    expect(blankForm('gcr')).toMatchObject({ registry: 'gcr.io', username: '_json_key' });
    const ecr = choosePreset(blankForm('gcr'), 'ecr');
    expect(ecr).toMatchObject({ presetId: 'ecr', registry: '', username: 'AWS' });
    const typed = choosePreset({ ...blankForm('docker-hub'), registry: 'myreg.example.com', username: 'me' }, 'ghcr');
    expect(typed).toMatchObject({ presetId: 'ghcr', registry: 'myreg.example.com', username: 'me' });
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
    expect(splitPipelines(' , ')).toEqual([]);
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
    expect(toNewEntryInput({ ...ecrForm, expires: 'soon' })).toMatchObject({ ok: false, field: 'expires' });
    expect(toNewEntryInput({ ...ecrForm, rotateEveryDays: '2.5' })).toMatchObject({
      ok: false,
      field: 'rotateEveryDays',
    });
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
    expect(moved.ok && moved.value.expiresAt).toBe(fromLocalInput('2031-01-01T10:00'));
  });

  it('never sends the registry, and keeps a blank password blank (the model keeps the secret)', () => {
    const patch = toEntryPatch(original, original);
    expect(patch.ok && patch.value).not.toHaveProperty('registry');
    expect(patch.ok && patch.value.secret).toBe('');
    expect(patch.ok && patch.value.rotateEveryDays).toBeNull();
  });
});

describe('fieldOfError', () => {
  it('routes model errors to the field they are about', () => {
    expect(fieldOfError({ code: 'registry-exists', message: 'docker.io already has an entry' })).toEqual({
      field: 'registry',
      message: 'docker.io already has an entry',
    });
    expect(fieldOfError({ code: 'registry-immutable', message: REGISTRY_IMMUTABLE_MESSAGE }).field).toBe('registry');
    expect(
      fieldOfError({ code: 'invalid-input', message: 'secret: Enter the password, access token or key.' }),
    ).toEqual({
      field: 'secret',
      message: 'Enter the password, access token or key.',
    });
    expect(fieldOfError({ code: 'invalid-input', message: 'pipelines.3: Keep each pipeline name short.' }).field).toBe(
      'pipelines',
    );
    expect(fieldOfError({ code: 'invalid-input', message: 'expiresAt: Pick an expiry date.' }).field).toBe('expires');
    expect(fieldOfError({ code: 'locked', message: 'Open a vault first.' })).toEqual({
      field: 'form',
      message: 'Open a vault first.',
    });
  });
});

describe('datetime-local values', () => {
  it('round-trips local time at minute precision and refuses non-dates', () => {
    const ms = new Date(2026, 2, 14, 9, 5).getTime();
    expect(toLocalInput(ms)).toBe('2026-03-14T09:05');
    expect(fromLocalInput('2026-03-14T09:05')).toBe(ms);
    expect(fromLocalInput('2026-13-45T99:99')).toBeNull();
    expect(fromLocalInput('tomorrow')).toBeNull();
  });
});
