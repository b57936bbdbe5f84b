/**
 * The record of docker-credential-regvault's requests: which registry, when, which vault answered
 * and how, never a secret. This is the seam for the vault's Activity view: it reads `forVault(id)`
 * (or `records` for all, including requests refused while locked, which name no vault). Kept in
 * memory for the app's run, newest first, at most MAX_HELPER_RECORDS.
 */

/** What the helper asked for. */
export type HelperAction = 'get' | 'store' | 'erase' | 'list';

/** How Regvault answered. */
export type HelperOutcome = 'served' | 'not-served' | 'locked' | 'stored' | 'erased' | 'listed' | 'refused';

/** One helper request as Activity shows it. */
export type HelperRequestRecord = Readonly<{
  at: number;
  action: HelperAction;
  /** The Docker registry key asked about; null for `list`. */
  registry: string | null;
  /** The vault that answered (or was asked to store); null when none did. */
  vaultId: string | null;
  outcome: HelperOutcome;
}>;

/** How many records are kept. */
export const MAX_HELPER_RECORDS = 500;

/** The helper's request log for this run of the app. */
export class HelperActivity {
  records = $state.raw<readonly HelperRequestRecord[]>([]);

  /** Adds a record (newest first). */
  record(entry: HelperRequestRecord): void {
    this.records = [entry, ...this.records].slice(0, MAX_HELPER_RECORDS);
  }

  /** The records one vault answered, newest first. */
  forVault(vaultId: string): readonly HelperRequestRecord[] {
    return this.records.filter((entry) => entry.vaultId === vaultId);
  }

  clear(): void {
    this.records = [];
  }
}

const HELPER_WORDS: Readonly<Record<HelperOutcome, string>> = {
  served: 'Docker got the {r} login from this device',
  'not-served': 'Docker asked this device for {r}: not served',
  locked: 'Docker asked this device for {r} while Regvault was locked: refused',
  stored: 'docker login stored {r} on this device',
  erased: 'docker logout stopped serving {r} on this device',
  listed: 'Docker listed the logins served by this device',
  refused: 'Docker asked this device for {r}: refused',
};

/** A helper request as one Activity line `{text, at}` (the shape ActivityDialog lists); never a secret. */
export function describeHelperRequest(
  record: HelperRequestRecord,
  display: (registry: string) => string,
): Readonly<{ text: string; at: number }> {
  return { text: HELPER_WORDS[record.outcome].replace('{r}', display(record.registry ?? '')), at: record.at };
}

/** The app's one helper log (the Activity view and the responder share it). */
export const helperActivity = new HelperActivity();
