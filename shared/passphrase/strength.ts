import { fail, ok, type Failure, type Result } from '../result';

/** A passphrase's estimated strength: 0 (very weak) to 4 (strong), with the reason shown to the user. */
export type PassphraseStrength = Readonly<{
  score: 0 | 1 | 2 | 3 | 4;
  bits: number;
  label: string;
  problems: readonly string[];
}>;

/** Shortest passphrase a vault accepts. */
export const minimumPassphraseLength = 12;
/** Lowest score a vault accepts. */
export const minimumPassphraseScore = 3;

// Passwords that top every breach list; a passphrase built on one of them is weak whatever its length.
const common = [
  'password',
  'passwort',
  'qwerty',
  'azerty',
  '123456',
  'letmein',
  'welcome',
  'admin',
  'iloveyou',
  'monkey',
  'dragon',
  'docker',
  'regvault',
  'secret',
  'changeme',
  'trustno1',
];
const sequences = ['abcdefghijklmnopqrstuvwxyz', '0123456789', 'qwertyuiopasdfghjklzxcvbnm'];

function poolSize(text: string): number {
  let pool = 0;
  if (/[a-z]/.test(text)) pool += 26;
  if (/[A-Z]/.test(text)) pool += 26;
  if (/[0-9]/.test(text)) pool += 10;
  if (/[^a-zA-Z0-9]/.test(text)) pool += 33;
  return pool;
}

// Characters that repeat or run in sequence add almost nothing: count each such run once.
function effectiveLength(text: string): number {
  const lower = text.toLowerCase();
  let length = 0;
  for (let i = 0; i < lower.length; i++) {
    const prev = lower[i - 1];
    const char = lower[i] ?? '';
    const repeated = prev === char;
    const sequential = prev !== undefined && sequences.some((s) => s.includes(prev + char));
    length += repeated || sequential ? 0.25 : 1;
  }
  return length;
}

const labels = ['Very weak', 'Weak', 'Fair', 'Strong', 'Very strong'] as const;

/** Estimates how hard a passphrase is to guess, and says what is wrong with it. */
export function measurePassphrase(passphrase: string): PassphraseStrength {
  const problems: string[] = [];
  const lower = passphrase.toLowerCase();
  // A common word counts as one guess from a short list, however often it repeats.
  const words = common.filter((w) => lower.includes(w));
  const stripped = words.reduce((text, w) => text.replaceAll(w, ''), lower);
  let bits = effectiveLength(stripped) * Math.log2(Math.max(poolSize(passphrase), 1)) + words.length * 4;
  for (const word of words) problems.push(`Contains "${word}", one of the first guesses an attacker tries.`);
  if (passphrase.length < minimumPassphraseLength) {
    problems.push(`Use at least ${minimumPassphraseLength} characters (a few unrelated words work well).`);
  }
  if (passphrase.length > 0 && new Set(lower).size <= 3) problems.push('Uses too few different characters.');
  bits = Math.max(0, Math.round(bits));
  const score = (bits < 28 ? 0 : bits < 40 ? 1 : bits < 56 ? 2 : bits < 72 ? 3 : 4) as PassphraseStrength['score'];
  const capped = (
    passphrase.length < minimumPassphraseLength ? Math.min(score, 2) : score
  ) as PassphraseStrength['score'];
  if (capped < minimumPassphraseScore && problems.length === 0)
    problems.push('Make it longer: add another word or two.');
  return { score: capped, bits, label: labels[capped], problems };
}

/** Why a new passphrase is refused. */
export type PassphraseRefusal = Failure<'passphrase-weak' | 'passphrase-mismatch'>;

/** Accepts a new passphrase, or says why not (too weak, or the confirmation differs). */
export function acceptNewPassphrase(passphrase: string, confirmation: string): Result<void, PassphraseRefusal> {
  const strength = measurePassphrase(passphrase);
  if (strength.score < minimumPassphraseScore) {
    return fail('passphrase-weak', strength.problems[0] ?? 'This passphrase is too weak.');
  }
  if (passphrase !== confirmation) {
    return fail('passphrase-mismatch', 'The two passphrases do not match. Type the same passphrase in both fields.');
  }
  return ok(undefined);
}
