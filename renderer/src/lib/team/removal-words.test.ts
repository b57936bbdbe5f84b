import { expect, test } from 'vitest';
import {
  describeHadAccess,
  describeRemoval,
  describeRotationOutcome,
  describeUnreached,
  namePeople,
} from './removal-words';

const people = new Map([
  ['carol-laptop', { name: 'Carol', person: 'p-carol' }],
  ['carol-phone', { name: 'Carol', person: 'p-carol' }],
  ['dave', { name: 'Dave', person: 'p-dave' }],
  ['erin', { name: 'Erin', person: 'p-erin' }],
]);

test('the removed people by name, each person once; a key without a card by its start', () => {
  expect(namePeople(['carol-laptop', 'carol-phone'], people)).toBe('Carol');
  expect(describeHadAccess(namePeople(['carol-laptop', 'dave'], people))).toBe('Carol and Dave had access');
  expect(namePeople(['dave', 'erin', 'carol-phone'], people)).toBe('Dave, Erin and Carol');
  expect(namePeople(['0123456789abcdef'], people)).toBe('Device 01234567');
  expect(namePeople([], people)).toBe('A removed device');
});

test('the confirmation says what is lost and what cannot be taken back; the outcome counts flags and unreached devices', () => {
  const [access, saw] = describeRemoval('Carol', 2);
  expect(access).toContain("Carol's 2 devices will lose access to everything written to this vault from now on");
  expect(saw).toContain('What Carol already saw cannot be taken back');
  expect(saw).toContain('Rotation recommended');
  expect(describeRotationOutcome('Carol', { flagged: 3, unreached: 2, removed: true })).toBe(
    'Carol removed; the vault key changed. 3 entries are flagged "Rotation recommended". 2 devices could not get the new key: link them again (they joined before this version of Regvault).',
  );
  expect(describeUnreached(1)).toMatch(/^1 device could not get the new key: link it again/);
});
