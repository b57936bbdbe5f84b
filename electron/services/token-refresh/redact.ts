// What a failed refresh command wrote to stderr is shown to the user, never logged, and first stripped of
// anything that may be a secret: the token it printed (if any), long token-like runs of characters, and
// the values of `password=` / `token:` style assignments.

const MAX_SHOWN = 1_000;
const MASK = '[redacted]';

// Base64/base64url/hex runs of 24+ characters: AWS/Azure/Google tokens, JWT parts, keys.
const TOKEN_LIKE = /[A-Za-z0-9+/_=.-]{24,}/g;
const ASSIGNMENT =
  /\b(password|passwd|secret|token|access[_-]?token|authorization|bearer|api[_-]?key)\b(\s*[:=]\s*|\s+)("[^"]*"|'[^']*'|\S+)/gi;

// A file path in an error ("/usr/bin/aws: not found") is worth keeping; it has no `=` padding or `+`.
function isPathLike(run: string): boolean {
  return run.startsWith('/') && !/[=+]/.test(run) && run.split('/').every((part) => part.length < 24);
}

/** Removes known secrets and secret-looking text from a command's stderr, and caps its length. */
export function redactOutput(text: string, known: readonly string[] = []): string {
  let out = text;
  for (const secret of known) {
    if (secret.length >= 4) out = out.split(secret).join(MASK);
  }
  out = out.replace(ASSIGNMENT, (_match, name: string, separator: string) => `${name}${separator}${MASK}`);
  out = out.replace(TOKEN_LIKE, (run) => (isPathLike(run) ? run : MASK));
  out = out.replace(/\r/g, '').trim();
  return out.length > MAX_SHOWN ? `${out.slice(0, MAX_SHOWN)}…` : out;
}
