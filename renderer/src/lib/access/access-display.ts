/**
 * What the Test access dialog shows for a result: the verdict's sentence, the details and advice, and the
 * least-privilege warning for an entry whose pipelines only pull. Pure.
 */
import type { Entry } from '../../../../shared/entries';
import type { ResponseOf } from '../../../../shared/ipc/contract';
import { leastPrivilegeWarning } from '../../../../shared/registry/access-verdict';

/** The result of `registry:check-access`. */
export type AccessCheckResult = ResponseOf<'registry:check-access'>;

/** How the result is coloured; the sentence always says the same. */
export type AccessTone = 'ok' | 'warn' | 'danger';

/** One result as the dialog shows it. */
export type AccessView = Readonly<{
  tone: AccessTone;
  sentence: string;
  details: string;
  advice: string;
  /** "This token can push; a read-only token is safer" for a pull-only entry with push rights. */
  warning?: string;
}>;

const TONES: Readonly<Record<AccessCheckResult['verdict'], AccessTone>> = {
  'pull-push': 'ok',
  'pull-only': 'warn',
  'push-only': 'warn',
  'no-access': 'danger',
  'not-found': 'danger',
  failed: 'danger',
};

/** The dialog's view of a result for this entry. */
export function toAccessView(result: AccessCheckResult, entry: Pick<Entry, 'pullOnly'>): AccessView {
  const warning = leastPrivilegeWarning(entry.pullOnly === true, result.push);
  // An entry whose pipelines only pull is served well by a pull-only token: not a warning there.
  const tone = result.verdict === 'pull-only' && entry.pullOnly === true ? 'ok' : TONES[result.verdict];
  return {
    tone: warning === undefined ? tone : 'warn',
    sentence: result.sentence,
    details: result.message,
    advice: result.hint,
    ...(warning === undefined ? {} : { warning }),
  };
}

/** The repositories to offer in the Repository field: the entry's own, in order. */
export function suggestRepositories(
  entry: Readonly<{ repositories?: readonly string[] | undefined }>,
): readonly string[] {
  return entry.repositories ?? [];
}
