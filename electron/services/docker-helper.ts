/**
 * Regvault as Docker's credential helper, main's side: the local channel docker-credential-regvault
 * talks to, the questions it forwards to the renderer (which holds the vault), and the helper's
 * install. Main keeps no served secret: each answer passes straight through to the one connection
 * that asked, and nothing of a request is logged.
 */
import type { RequestOf, ResponseOf } from '../../shared/ipc/contract';
import { readDockerKey } from '../../shared/registry/registry-key';
import { fail, ok, type Result } from '../../shared/result';
import { createHelperBroker, RENDERER_DEADLINE_MS, type AskRenderer, type HelperAnswer } from './cred-helper/broker';
import { startHelperChannel, type HandleRequest, type HelperChannel } from './cred-helper/channel-server';
import { describeInstall, installHelper, type InstallContext, type InstallSource } from './cred-helper/install';
import type { ChannelResponse } from './cred-helper/wire';
import type { ServiceContext } from './context';

/** Where the app keeps the channel, and what it installs. */
export type DockerHelperOptions = Readonly<{
  source?: InstallSource;
  rendererDeadlineMs?: number;
}>;

type Display = Readonly<{ key: string; display: string }>;

function registryOf(serverURL: string | undefined): Display | null {
  if (serverURL === undefined) return null;
  const key = readDockerKey(serverURL);
  return key.ok ? { key: key.key, display: key.display } : null;
}

function lockedMessage(verb: string, registry: Display | null): string {
  return `Regvault is locked: unlock it to ${verb} ${registry?.display ?? 'registry'} credentials`;
}

const NO_ANSWER =
  'Regvault did not answer in time: open its window, unlock it and try again (no credential was served)';

/** What the protocol answers for a renderer's reply to one action. */
function toResponse(
  action: 'get' | 'store' | 'erase' | 'list',
  answer: HelperAnswer | 'no-window' | 'no-answer',
  registry: Display | null,
): ChannelResponse {
  const verb = action === 'get' ? 'use' : action === 'store' ? 'store' : action === 'erase' ? 'erase' : 'list';
  if (answer === 'no-answer') return { kind: 'refused', message: NO_ANSWER };
  if (answer === 'no-window' || answer.kind === 'locked')
    return { kind: 'refused', message: lockedMessage(verb, registry) };
  switch (answer.kind) {
    case 'credential':
      return action === 'get'
        ? { kind: 'credential', username: answer.username, secret: answer.secret }
        : { kind: 'done' };
    case 'list':
      return { kind: 'list', items: Object.fromEntries(answer.items.map((item) => [item.registry, item.username])) };
    case 'done':
      return { kind: 'done' };
    case 'not-found':
      return { kind: 'not-found' };
    case 'refused':
      return { kind: 'refused', message: answer.message };
  }
}

/** The helper service of one app (or one test harness). */
export function createDockerHelperService(context: ServiceContext, options: DockerHelperOptions = {}) {
  const { broker, attach } = createHelperBroker(options.rendererDeadlineMs ?? RENDERER_DEADLINE_MS);
  const install: InstallContext = {
    home: context.home,
    env: context.env,
    platform: context.platform,
    source: options.source ?? { launcher: null },
  };
  let channel: HelperChannel | null = null;
  let channelMessage: string | undefined = 'The helper channel has not started.';

  const handle: HandleRequest = async (request) => {
    const registry = registryOf(request.serverURL);
    if (request.action !== 'list' && registry === null) return { kind: 'not-found' };
    const answer = await broker.ask({
      action: request.action,
      ...(registry !== null ? { registry: registry.key } : {}),
      ...(request.username !== undefined ? { username: request.username } : {}),
      ...(request.secret !== undefined ? { secret: request.secret } : {}),
    });
    return toResponse(request.action, answer, registry);
  };

  async function status(): Promise<Result<ResponseOf<'helper:status'>>> {
    const state = await describeInstall(install);
    const running = channel !== null;
    return ok({ ...state, channel: { running, ...(channelMessage !== undefined ? { message: channelMessage } : {}) } });
  }

  return {
    /** Connects the broker to the window (Electron) or the page (tests). */
    attachRenderer: (ask: AskRenderer) => attach(ask),
    /** Starts listening under the app's data directory. */
    async start(dataDir: string): Promise<Result<HelperChannel>> {
      const started = await startHelperChannel(dataDir, context.platform, handle);
      if (!started.ok) {
        channelMessage = started.error.message;
        return started;
      }
      channel = started.value;
      channelMessage = undefined;
      return started;
    },
    async stop(): Promise<void> {
      await channel?.close();
      channel = null;
    },
    answer: ({ id, answer }: RequestOf<'helper:answer'>) => ok({ accepted: broker.answer(id, answer) }),
    status,
    async install({ target }: RequestOf<'helper:install'>): Promise<Result<ResponseOf<'helper:status'>>> {
      const installed = await installHelper(install, target);
      if (!installed.ok) return fail(installed.error.code, installed.error.message);
      return status();
    },
    pending: () => broker.pending(),
  };
}

/** The helper service's type, for the handler table and the harness. */
export type DockerHelperService = ReturnType<typeof createDockerHelperService>;
