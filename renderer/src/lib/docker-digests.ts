/**
 * The keyed digests behind the "In Docker config" comparison: a random HMAC-SHA-256 key per session
 * and each entry's digest, kept until its secret changes. Plain data, no state of the screens.
 */
import { encodeBase64 } from '../../../shared/crypto/bytes';
import type { Entry } from '../../../shared/entries';
import type { RequestOf, ResponseOf } from '../../../shared/ipc/contract';

/** How an entry stands in Docker's config. */
export type DockerState = ResponseOf<'docker:compare'>['entries'][number]['state'];

/** No entry compared yet. */
export const noStates: ReadonlyMap<string, DockerState> = new Map();

/** The states of one answer, by entry id. */
export function statesOf(answer: ResponseOf<'docker:compare'>): ReadonlyMap<string, DockerState> {
  return new Map(answer.entries.map(({ id, state }) => [id, state]));
}

type CompareItem = RequestOf<'docker:compare'>['entries'][number];

/** A session's HMAC key and the digest of each entry's secret under it. */
export class DigestCache {
  private readonly digests = new Map<string, Readonly<{ secret: string; digest: string }>>();

  private constructor(
    /** The raw key, base64, as `docker:compare` takes it. */
    readonly key: string,
    private readonly hmac: CryptoKey,
  ) {}

  /** A cache under a fresh random 32-byte key. */
  static async create(): Promise<DigestCache> {
    const raw = crypto.getRandomValues(new Uint8Array(32));
    const hmac = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    return new DigestCache(encodeBase64(raw), hmac);
  }

  /** The entry as `docker:compare` takes it: its login and the digest of its secret (hashed again only if it changed). */
  async itemOf(entry: Entry): Promise<CompareItem> {
    let known = this.digests.get(entry.id);
    if (known?.secret !== entry.secret) {
      const mac = await crypto.subtle.sign('HMAC', this.hmac, new TextEncoder().encode(entry.secret));
      known = { secret: entry.secret, digest: encodeBase64(new Uint8Array(mac)) };
      this.digests.set(entry.id, known);
    }
    const { id, registry, username, email, secretUpdatedAt } = entry;
    return { id, registry, username, ...(email !== undefined ? { email } : {}), digest: known.digest, secretUpdatedAt };
  }

  /** Drops the digests of entries that are gone. */
  keepOnly(ids: readonly string[]): void {
    const live = new Set(ids);
    for (const id of this.digests.keys()) if (!live.has(id)) this.digests.delete(id);
  }
}
