import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addEntry, type Entry } from '../../../shared/entries';
import { createManualContext } from '../../../shared/entries/test-context';
import { blankForm, type EntryFormFields } from './entry-form';
import {
  checkSignature,
  describeFormCheck,
  isCheckOf,
  isSameCredential,
  toFormCheckTarget,
  toLastCheck,
  type LoginCheckResult,
} from './login-check-display';

const unauthorized: LoginCheckResult = {
  ok: false,
  code: 'unauthorized',
  status: 401,
  message: 'reg.example.com:5000 rejected the credentials for ci (HTTP 401).',
  hint: 'Verify username is correct. Check if password/token has expired.',
  durationMs: 12,
};

const form: EntryFormFields = {
  ...blankForm('private'),
  registry: ' reg.example.com:5000 ',
  username: ' ci ',
  secret: 'pasted-token\n',
  insecure: true,
  caCertificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
};

function storedEntry(): Entry {
  const result = addEntry(
    new Y.Doc(),
    { registry: 'reg.example.com:5000', username: 'ci', secret: 'stored-secret', caCertificate: form.caCertificate },
    createManualContext('alice'),
  );
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

describe('toLastCheck', () => {
  it('stores a failure with its hint, so the row can say what to do', () => {
    expect(toLastCheck(unauthorized, 42)).toEqual({
      at: 42,
      ok: false,
      code: 'unauthorized',
      message:
        'reg.example.com:5000 rejected the credentials for ci (HTTP 401). Verify username is correct. Check if password/token has expired.',
    });
    const passed: LoginCheckResult = { ...unauthorized, ok: true, code: 'ok', message: 'Logged in.', hint: '' };
    expect(toLastCheck(passed, 7)).toEqual({ at: 7, ok: true, code: 'ok', message: 'Logged in.' });
  });
});

describe('the form check', () => {
  it('tests what is typed, cleaned like the model cleans it, with plain HTTP and the CA certificate', () => {
    expect(toFormCheckTarget(form)).toEqual({
      registry: 'reg.example.com:5000',
      username: 'ci',
      secret: 'pasted-token',
      insecure: true,
      caCertificate: form.caCertificate,
    });
  });

  it('editing, uses the stored key, and the stored secret while the password is blank', () => {
    const stored = storedEntry();
    expect(toFormCheckTarget({ ...form, registry: 'shown-differently', secret: '' }, stored)).toMatchObject({
      registry: stored.registry,
      secret: 'stored-secret',
    });
    expect(toFormCheckTarget({ ...form, secret: 'typed' }, stored).secret).toBe('typed');
  });

  it('knows when a check tested exactly what an entry holds', () => {
    const stored = storedEntry();
    const target = toFormCheckTarget({ ...form, insecure: false, secret: '' }, stored);
    expect(isCheckOf(target, stored)).toBe(true);
    expect(isCheckOf({ ...target, secret: 'other' }, stored)).toBe(false);
    expect(isCheckOf({ ...target, insecure: true }, stored)).toBe(false);
    expect(isCheckOf({ ...target, caCertificate: '' }, stored)).toBe(false);
  });

  it('changes its signature when a field the check depends on changes, not for the others', () => {
    const base = checkSignature(form);
    expect(checkSignature({ ...form, notes: 'n', name: 'x', pipelines: 'a' })).toBe(base);
    for (const change of [
      { registry: 'b' },
      { username: 'b' },
      { secret: 'b' },
      { insecure: false },
      { caCertificate: '' },
    ]) {
      expect(checkSignature({ ...form, ...change })).not.toBe(base);
    }
  });

  it('says Login failed with the message and the hint', () => {
    expect(describeFormCheck(unauthorized)).toEqual({
      ok: false,
      title: 'Login failed.',
      message: unauthorized.message,
      hint: unauthorized.hint,
    });
  });
});

describe('isSameCredential', () => {
  it('compares what a login uses, not names or notes', () => {
    const entry = storedEntry();
    expect(isSameCredential(entry, { ...entry, name: 'renamed', notes: 'n' })).toBe(true);
    expect(isSameCredential(entry, { ...entry, secret: 'new' })).toBe(false);
    expect(isSameCredential(entry, { ...entry, username: 'other' })).toBe(false);
    expect(isSameCredential(entry, { ...entry, insecure: true })).toBe(false);
    expect(isSameCredential(entry, { ...entry, caCertificate: undefined })).toBe(false);
  });
});
