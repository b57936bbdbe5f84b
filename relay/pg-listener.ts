// Other relay nodes' commits, heard through PostgreSQL's LISTEN/NOTIFY on a dedicated connection.
// A notification is only a hint: the changes themselves are read from the tables. If the connection
// drops, notifications sent meanwhile are lost, so after reconnecting the listener asks for a resync
// (every cached vault's positions are re-read); the relay also resyncs periodically (remote-changes.ts).
import pg from 'pg';
import { z } from 'zod';
import type { RemoteChange } from './store';

/** The NOTIFY channel of the relay nodes. */
export const notifyChannel = 'regvault_relay';

/** What a node sends with a commit: node id, kind, vault, and the new head (env) or snapshot seq (snap). */
export type ChangeNotice = Readonly<
  | { n: string; k: 'env'; v: string; h: number }
  | { n: string; k: 'member'; v: string }
  | { n: string; k: 'snap'; v: string; s: number }
>;

const noticeSchema = z.discriminatedUnion('k', [
  z.object({ n: z.string(), k: z.literal('env'), v: z.string(), h: z.number().int().nonnegative() }),
  z.object({ n: z.string(), k: z.literal('member'), v: z.string() }),
  z.object({ n: z.string(), k: z.literal('snap'), v: z.string(), s: z.number().int().nonnegative() }),
]);

function changeOf(notice: ChangeNotice): RemoteChange {
  if (notice.k === 'env') return { kind: 'env', vault: notice.v, head: notice.h };
  if (notice.k === 'snap') return { kind: 'snap', vault: notice.v, seq: notice.s };
  return { kind: 'member', vault: notice.v };
}

/** Listens on `url` for other nodes' notices (this node's own, `node`, are skipped); reconnects with backoff. */
export function listenForChanges(url: string, node: string) {
  const listeners: ((change: RemoteChange) => void)[] = [];
  let client: pg.Client | null = null;
  let closed = false;
  let delay = 100;
  const emit = (change: RemoteChange) => {
    for (const listener of listeners) listener(change);
  };

  async function connect(first: boolean): Promise<void> {
    const next = new pg.Client({ connectionString: url });
    next.on('notification', (message) => {
      const parsed = noticeSchema.safeParse(safeJson(message.payload));
      if (parsed.success && parsed.data.n !== node) emit(changeOf(parsed.data));
    });
    next.on('error', () => undefined);
    next.on('end', () => {
      if (client === next) client = null;
      if (!closed) retry();
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${notifyChannel}`);
    } catch {
      next.removeAllListeners('end');
      await next.end().catch(() => undefined);
      if (!closed) retry();
      return;
    }
    if (closed) return void (await next.end());
    client = next;
    delay = 100;
    if (!first) emit({ kind: 'resync' });
  }

  function retry(): void {
    const wait = delay;
    delay = Math.min(delay * 2, 5000);
    setTimeout(() => void connect(false), wait).unref();
  }

  const ready = connect(true);
  return {
    watch: (listener: (change: RemoteChange) => void) => void listeners.push(listener),
    /** Resolves once the first LISTEN is in place (or failed; it retries in the background). */
    ready,
    close: async () => {
      closed = true;
      await ready;
      await client?.end().catch(() => undefined);
    },
  };
}

function safeJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    return null;
  }
}
