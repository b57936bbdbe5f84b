// The one failure shape of the codebase (STYLE.md §2): every fallible operation — IPC call, store,
// sync, docker config, login check, validation — returns a Result whose error carries a typed code
// from its domain's union and a sentence that says what to do. Nothing is recognized by message text.

/** A failure: a stable code from its domain's union and a message the user can act on. */
export type Failure<C extends string = string> = Readonly<{ code: C; message: string }>;

/** A success carrying a value. */
export type Ok<T> = Readonly<{ ok: true; value: T }>;

/** A failure carrying a typed error. */
export type Err<E extends Failure> = Readonly<{ ok: false; error: E }>;

/** The result of anything that can fail: a value, or a typed failure (never a thrown exception across a boundary). */
export type Result<T, E extends Failure = Failure> = Ok<T> | Err<E>;

/** Wraps a value as a successful result. */
export function ok<T>(value: T): Ok<T> {
  return { ok: true, value };
}

/** Builds a failed result with a code and a message the user can act on. */
export function fail<C extends string>(code: C, message: string): Err<Failure<C>> {
  return { ok: false, error: { code, message } };
}

/** Wraps an already-built failure (one that carries more than code and message) as a result. */
export function failWith<E extends Failure>(error: E): Err<E> {
  return { ok: false, error };
}

/** One field's validation problem, as data: the renderer shows `message` beside `field`. */
export type FieldError<F extends string = string> = Readonly<{ field: F; message: string }>;
