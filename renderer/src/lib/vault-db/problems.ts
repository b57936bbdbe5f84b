import { isVaultError, VaultError, type DamagedSubject, type VaultErrorCode } from '../../../../shared/crypto/errors';

/** Something in the store that could not be used or saved, kept so the UI can show it next to what it affects. */
export type StoreProblem = Readonly<{
  code: VaultErrorCode;
  message: string;
  vaultId: string | null;
  subject: DamagedSubject | null;
}>;

/** Turns a thrown error into a problem; unknown errors become `write-failed` when `fallback` says so, else rethrow. */
export function toProblem(error: unknown, vaultId: string | null, fallback?: VaultErrorCode): StoreProblem {
  if (isVaultError(error)) {
    return {
      code: error.code,
      message: error.message,
      vaultId: error.subject?.vaultId ?? vaultId,
      subject: error.subject ?? null,
    };
  }
  if (fallback === undefined) throw error;
  const detail = error instanceof Error ? ` (${error.name})` : '';
  const fallbackError = new VaultError(
    fallback,
    `Saving to local storage failed${detail}. Free disk space, then reopen the vault.`,
  );
  return { code: fallbackError.code, message: fallbackError.message, vaultId, subject: null };
}

function keyOf(problem: StoreProblem): string {
  const s = problem.subject;
  return [problem.code, problem.vaultId ?? '', s?.what ?? '', s?.seq ?? ''].join('|');
}

/** The problems of one session: deduplicated, in order, with listeners for ones found later (failed writes). */
export class ProblemLog {
  private readonly items = new Map<string, StoreProblem>();
  private readonly listeners = new Set<(problem: StoreProblem) => void>();

  /** Every problem so far. */
  get all(): readonly StoreProblem[] {
    return [...this.items.values()];
  }

  /** Records a problem (once) and tells the listeners. */
  add(problem: StoreProblem): void {
    const key = keyOf(problem);
    if (this.items.has(key)) return;
    this.items.set(key, problem);
    for (const listener of this.listeners) listener(problem);
  }

  /** Forgets the problems of one vault (after it was deleted or repaired). */
  clearVault(vaultId: string): void {
    for (const [key, problem] of this.items) if (problem.vaultId === vaultId) this.items.delete(key);
  }

  /** Calls `listener` for every new problem; returns the unsubscribe function. */
  subscribe(listener: (problem: StoreProblem) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
