/**
 * Unwrapping Results in tests in any folder: a test that expects success gets the value (or fails
 * with the failure's code and message), one that expects failure gets the typed error.
 */
import type { Failure, Result } from './result';

/** The value of a result the test expects to succeed; throws with the failure's code and message otherwise. */
export function valueOf<T, E extends Failure>(result: Result<T, E>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** The failure of a result the test expects to fail; throws if it succeeded. */
export function failureOf<T, E extends Failure>(result: Result<T, E>): E {
  if (result.ok) throw new Error('expected a failure, got success');
  return result.error;
}
