/**
 * The renderer's side of docker-credential-regvault: answers main's `helper:request` questions from
 * the unlocked session. Only entries switched to "Serve to Docker" on this device are ever answered;
 * locked means "locked" at once; every request is recorded (registry, when, vault; never a secret).
 * `store` (docker login) writes as this device — its key as the entry's author and in Activity, like
 * any edit made here — and only into a vault this device may write.
 */
import {
  addEntry,
  editEntry,
  findEntriesByRegistry,
  getEntry,
  type Entry,
  type EntryContext,
} from '../../../../shared/entries';
import { encodeBase64 } from '../../../../shared/crypto/bytes';
import type { EventPayload, RequestOf } from '../../../../shared/ipc/contract';
import type { UnlockedProfile } from '../vault-db';
import type { DockerServing } from './docker-serving.svelte';
import type { HelperActivity, HelperOutcome } from './helper-activity.svelte';
import { describeReadOnlyStoreVault, type MayWrite } from './store-vault-choice';
import { noteEntryUse } from '../insights/entry-use-events';

type Question = EventPayload<'helper:request'>;
type Answer = RequestOf<'helper:answer'>['answer'];

/** What answering needs: the session (null while locked), the served entries, the log and this device's write rights. */
export type ResponderDeps = Readonly<{
  session: () => UnlockedProfile | null;
  serving: DockerServing;
  activity: HelperActivity;
  mayWrite: MayWrite;
  now?: () => number;
}>;

/** Where `store` is refused when no vault is chosen: the message says where to choose one. */
export const NO_STORE_VAULT_MESSAGE =
  'Regvault has no vault for docker login: choose one in Regvault → Settings → Docker credential helper';

type Found = Readonly<{ vaultId: string; entry: Entry }>;

/** The served entries that still exist, with their vault (an entry deleted since is skipped). */
async function servedEntries(session: UnlockedProfile, serving: DockerServing): Promise<Found[]> {
  const found: Found[] = [];
  for (const { vaultId, entryId } of serving.served) {
    const vault = await session.openVault(vaultId);
    if (!vault.ok) continue;
    const entry = getEntry(vault.value.doc, entryId);
    if (entry.ok) found.push({ vaultId, entry: entry.value });
  }
  return found;
}

async function store(
  question: Question,
  deps: ResponderDeps,
  session: UnlockedProfile,
): Promise<[Answer, string | null]> {
  const vaultId = deps.serving.storeVault;
  if (vaultId === undefined) return [{ kind: 'refused', message: NO_STORE_VAULT_MESSAGE }, null];
  const vault = await session.openVault(vaultId);
  if (!vault.ok) return [{ kind: 'refused', message: NO_STORE_VAULT_MESSAGE }, null];
  // A Viewer's change would be refused by every peer: it is never written.
  if (!deps.mayWrite(vaultId)) {
    const listed = await session.listVaults();
    const name = listed.ok ? (listed.value.find((v) => v.id === vaultId)?.name ?? null) : null;
    return [{ kind: 'refused', message: describeReadOnlyStoreVault(name) }, vaultId];
  }
  const doc = vault.value.doc;
  const registry = question.registry ?? '';
  const login = { username: question.username ?? '', secret: question.secret ?? '' };
  // As this device, like an edit in the app: peers refuse a change that names anyone else as its author.
  const actor = encodeBase64(session.identity.signing);
  const ctx: EntryContext = { now: deps.now ?? Date.now, newId: () => crypto.randomUUID(), actor };
  const [existing] = findEntriesByRegistry(doc, registry);
  const saved =
    existing !== undefined
      ? editEntry(doc, existing, login, ctx)
      : addEntry(doc, { registry, name: registry, ...login }, ctx);
  if (!saved.ok)
    return [{ kind: 'refused', message: `Regvault could not store this login: ${saved.error.message}` }, vaultId];
  const served = await deps.serving.setServed(vaultId, saved.value.id, true);
  return [served.ok ? { kind: 'done' } : { kind: 'refused', message: served.error.message }, vaultId];
}

/** Answers one question; returns the answer and the vault involved (for the log). */
async function decide(question: Question, deps: ResponderDeps): Promise<[Answer, string | null]> {
  const session = deps.session();
  if (session === null || session.locked) return [{ kind: 'locked' }, null];
  if (question.action === 'store') return store(question, deps, session);
  const served = await servedEntries(session, deps.serving);
  if (question.action === 'list') {
    return [
      { kind: 'list', items: served.map(({ entry }) => ({ registry: entry.registry, username: entry.username })) },
      null,
    ];
  }
  const match = served.find(({ entry }) => entry.registry === question.registry);
  if (match === undefined) return [{ kind: 'not-found' }, null];
  if (question.action === 'erase') {
    // erase stops serving; the entry stays in the vault (docker logout never deletes a vault entry).
    const stopped = await deps.serving.stopServing((s) => s.entryId === match.entry.id);
    return [stopped.ok ? { kind: 'done' } : { kind: 'refused', message: stopped.error.message }, match.vaultId];
  }
  noteEntryUse(match.entry.id, 'helper');
  return [{ kind: 'credential', username: match.entry.username, secret: match.entry.secret }, match.vaultId];
}

function outcomeOf(question: Question, answer: Answer): HelperOutcome {
  if (answer.kind === 'locked') return 'locked';
  if (answer.kind === 'refused') return 'refused';
  if (answer.kind === 'not-found') return 'not-served';
  const done: Record<Question['action'], HelperOutcome> = {
    get: 'served',
    store: 'stored',
    erase: 'erased',
    list: 'listed',
  };
  return done[question.action];
}

/** Answers one question and records it. */
export async function answerHelperQuestion(question: Question, deps: ResponderDeps): Promise<Answer> {
  let decided: [Answer, string | null];
  try {
    decided = await decide(question, deps);
  } catch {
    decided = [{ kind: 'refused', message: 'Regvault could not read the vault: open the app and try again' }, null];
  }
  const [answer, vaultId] = decided;
  deps.activity.record({
    at: (deps.now ?? Date.now)(),
    action: question.action,
    registry: question.registry ?? null,
    vaultId,
    outcome: outcomeOf(question, answer),
  });
  return answer;
}

/** Listens for main's helper questions for as long as the app runs; returns the stop function. */
export function startHelperResponder(deps: ResponderDeps): () => void {
  return window.regvault.on('helper:request', (question) => {
    void answerHelperQuestion(question, deps).then((answer) =>
      window.regvault.helper.answer({ id: question.id, answer }),
    );
  });
}
