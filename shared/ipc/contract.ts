import { z } from 'zod';
import type { Result } from './result';

/** Declares one request/response channel: the schemas both processes validate against. */
function channel<Req extends z.ZodType, Res extends z.ZodType>(request: Req, response: Res) {
  return { request, response } as const;
}

const noInput = z.undefined();

/** What main tells the renderer about itself and the machine (`app:info`). */
export const appInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  platform: z.enum(['darwin', 'win32', 'linux', 'other']),
  dockerConfigPath: z.string(),
});

/** A secret to put on the clipboard; main clears it after 30 s if it is still there. */
export const copySecretSchema = z.object({ text: z.string().min(1).max(65_536) }).strict();

/** Credentials to try against a registry's /v2/ endpoint (DESIGN.md §6). */
export const checkLoginSchema = z
  .object({
    registry: z.string().min(1).max(1024),
    username: z.string().max(1024),
    secret: z.string().max(65_536),
    insecure: z.boolean().optional(),
    caCertificate: z.string().max(65_536).optional(),
  })
  .strict();

/** The verdict of a login check: a code from docs/login-check.md, what happened, and what to do. */
export const loginCheckResultSchema = z.object({
  ok: z.boolean(),
  code: z.string(),
  status: z.number().optional(),
  message: z.string(),
  hint: z.string(),
  durationMs: z.number(),
});

/** Renderer → main calls, named `domain:verb`. Each handler parses its input with `request`. */
export const channels = {
  'app:info': channel(noInput, appInfoSchema),
  'registry:check-login': channel(checkLoginSchema, loginCheckResultSchema),
  'clipboard:copy-secret': channel(copySecretSchema, z.object({ clearsInMs: z.number() })),
} as const;

/** Main → renderer notifications, named `domain:event`. */
export const events = {
  'power:suspend': z.undefined(),
  'power:lock-screen': z.undefined(),
} as const;

/** Every channel name of the contract. */
export type Channel = keyof typeof channels;
/** Every event name of the contract. */
export type EventName = keyof typeof events;
/** The validated input type of a channel. */
export type RequestOf<C extends Channel> = z.output<(typeof channels)[C]['request']>;
/** The response value type of a channel. */
export type ResponseOf<C extends Channel> = z.output<(typeof channels)[C]['response']>;
/** The payload type of an event. */
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

type DomainOf<C extends string> = C extends `${infer D}:${string}` ? D : never;
type VerbOf<C extends string, D extends string> = C extends `${D}:${infer V}` ? V : never;
type CamelCase<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<CamelCase<T>>}` : S;
type Method<C extends Channel> =
  RequestOf<C> extends undefined
    ? () => Promise<Result<ResponseOf<C>>>
    : (input: RequestOf<C>) => Promise<Result<ResponseOf<C>>>;

/** `window.regvault`: one method per channel (`app:info` → `regvault.app.info()`) and typed subscriptions. */
export type RendererApi = {
  readonly [D in DomainOf<Channel>]: {
    readonly [V in VerbOf<Channel, D> as CamelCase<V>]: Method<Extract<`${D}:${V}`, Channel>>;
  };
} & {
  /** Subscribes to a main-process event; returns the unsubscribe function. */
  readonly on: <E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void) => () => void;
};

/** The IPC channel that carries events from main to the renderer. */
export const eventChannel = 'regvault:event';

/** Converts a `domain:verb-name` channel into the `[domain, verbName]` path of its RendererApi method. */
export function methodPath(name: Channel): readonly [string, string] {
  const [domain = '', verb = ''] = name.split(':');
  return [domain, verb.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())];
}
