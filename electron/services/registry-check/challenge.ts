/** One challenge of a `WWW-Authenticate` header: scheme and parameter names lower-cased, values as sent. */
export type AuthChallenge = Readonly<{
  scheme: string;
  params: Readonly<Record<string, string>>;
  /** The token68 form (`Negotiate abc==`), when a challenge carries one instead of parameters. */
  token68?: string;
}>;

type MutableChallenge = { scheme: string; params: Record<string, string>; token68?: string };

/** A tchar (RFC 9110) or a token68 character: schemes, parameter names and token68 values. */
const wordChar = /[!#$%&'*+\-.^_`|~0-9A-Za-z/]/;

/** A cursor over the header text. */
class HeaderCursor {
  private position = 0;
  constructor(private readonly text: string) {}

  get done(): boolean {
    return this.position >= this.text.length;
  }

  peek(): string {
    return this.text.charAt(this.position);
  }

  skip(): void {
    this.position += 1;
  }

  skipSpaces(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.position += 1;
  }

  /** Skips spaces and commas; true when at least one comma was skipped (a new challenge or parameter follows). */
  skipSeparators(): boolean {
    let sawComma = false;
    while (!this.done && /[ \t,]/.test(this.peek())) {
      sawComma ||= this.peek() === ',';
      this.position += 1;
    }
    return sawComma;
  }

  readWhile(pattern: RegExp): string {
    const start = this.position;
    while (!this.done && pattern.test(this.peek())) this.position += 1;
    return this.text.slice(start, this.position);
  }

  /** Reads a quoted-string (cursor on the opening quote), undoing backslash escapes. */
  readQuoted(): string {
    this.position += 1;
    let value = '';
    while (!this.done && this.peek() !== '"') {
      if (this.peek() === '\\') this.position += 1;
      value += this.peek();
      this.position += 1;
    }
    this.position += 1;
    return value;
  }

  /** Reads an unquoted value. Lenient: servers send `realm=https://x/token` unquoted, so read up to `,` or space. */
  readBareValue(): string {
    return this.readWhile(/[^,\s]/);
  }

  /** True when the text from here is `=`* followed by a separator or the end: a token68's padding, not a parameter. */
  atToken68Padding(): boolean {
    const rest = this.text.slice(this.position);
    return /^=+\s*(,|$)/.test(rest);
  }
}

/** Reads the value of `name=value`, the cursor on the `=`. */
function readParamValue(cursor: HeaderCursor): string {
  cursor.skip();
  cursor.skipSpaces();
  return cursor.peek() === '"' ? cursor.readQuoted() : cursor.readBareValue();
}

/**
 * Parses a `WWW-Authenticate` value (RFC 9110 §11.6.1): several challenges separated by commas, each a scheme
 * followed by parameters (values may be quoted strings containing commas) or a token68. Scheme and parameter
 * names are case-insensitive (Nexus sends `BASIC realm=…`), so both come back lower-cased.
 */
export function parseAuthChallenges(header: string): readonly AuthChallenge[] {
  const cursor = new HeaderCursor(header);
  const challenges: MutableChallenge[] = [];
  let current: MutableChallenge | undefined;
  let afterScheme = false;
  while (!cursor.done) {
    const sawComma = cursor.skipSeparators();
    const word = cursor.readWhile(wordChar);
    if (word.length === 0) {
      if (!cursor.done) cursor.skip();
      afterScheme = false;
      continue;
    }
    cursor.skipSpaces();
    if (current !== undefined && cursor.peek() === '=' && !cursor.atToken68Padding()) {
      current.params[word.toLowerCase()] = readParamValue(cursor);
      afterScheme = false;
    } else if (current !== undefined && afterScheme && !sawComma) {
      current.token68 = word + cursor.readWhile(/=/);
      afterScheme = false;
    } else {
      current = { scheme: word.toLowerCase(), params: {} };
      challenges.push(current);
      afterScheme = true;
    }
  }
  return challenges;
}

/** The first challenge of a scheme (case-insensitive), if the server offered it. */
export function findChallenge(challenges: readonly AuthChallenge[], scheme: string): AuthChallenge | undefined {
  const wanted = scheme.toLowerCase();
  return challenges.find((challenge) => challenge.scheme === wanted);
}
