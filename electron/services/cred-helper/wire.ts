// What travels over Regvault's local helper channel: one JSON line from the helper executable, one
// JSON line back. Both ends are Regvault's own code (the helper and main), so the frame is small and
// strict; the credential-helper protocol itself (stdin/stdout, Docker's side) lives in client.ts.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readPipeName } from './channel-auth';
import { z } from 'zod';

/** The largest frame either side reads; anything longer is refused and the connection closed. */
export const MAX_FRAME_BYTES = 256 * 1024;

/** The actions the app answers (`version` is answered by the executable alone). */
export const CHANNEL_ACTIONS = ['get', 'store', 'erase', 'list'] as const;

/** One of the actions the app answers. */
export type ChannelAction = (typeof CHANNEL_ACTIONS)[number];

/** A request from the helper executable: its proof of the install secret, the action and its input. */
export const channelRequestSchema = z
  .object({
    v: z.literal(2),
    proof: z.string().min(1).max(256),
    action: z.enum(CHANNEL_ACTIONS),
    serverURL: z.string().max(4096).optional(),
    username: z.string().max(1024).optional(),
    secret: z.string().max(65_536).optional(),
  })
  .strict();

/** A request as the helper executable sends it. */
export type ChannelRequest = z.output<typeof channelRequestSchema>;

/** The app's answer: a credential, the served list, done, "not found" (protocol's own), or refused with a message. */
export const channelResponseSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('credential'), username: z.string(), secret: z.string() }).strict(),
  z.object({ kind: z.literal('list'), items: z.record(z.string(), z.string()) }).strict(),
  z.object({ kind: z.literal('done') }).strict(),
  z.object({ kind: z.literal('not-found') }).strict(),
  z.object({ kind: z.literal('refused'), message: z.string().max(2000) }).strict(),
]);

/** The app's answer to one request. */
export type ChannelResponse = z.output<typeof channelResponseSchema>;

/**
 * Where the channel lives: a private folder with the socket (Unix), the file naming the named pipe
 * (Windows: the name is random, chosen by the app at each start), and the install secret.
 */
export type ChannelPaths = Readonly<{ dir: string; socket: string; pipeNameFile: string; secretFile: string }>;

/** The channel's paths under the app's data directory (the Unix socket; on Windows see `resolveEndpoint`). */
export function channelPaths(dataDir: string, _platform: NodeJS.Platform): ChannelPaths {
  const dir = join(dataDir, 'docker-helper');
  return {
    dir,
    socket: join(dir, 'helper.sock'),
    pipeNameFile: join(dir, 'pipe-name'),
    secretFile: join(dir, 'install-secret'),
  };
}

/** Where the helper connects: the socket, or on Windows the pipe the app named in its folder (null: none). */
export async function resolveEndpoint(paths: ChannelPaths, platform: NodeJS.Platform): Promise<string | null> {
  if (platform !== 'win32') return paths.socket;
  try {
    return readPipeName(await readFile(paths.pipeNameFile, 'utf8'));
  } catch {
    return null;
  }
}

/** Splits the first line off a buffer; null while no newline has arrived. */
export function takeLine(buffer: Buffer): Readonly<{ line: string; rest: Buffer }> | null {
  const end = buffer.indexOf(0x0a);
  if (end === -1) return null;
  return { line: buffer.subarray(0, end).toString('utf8'), rest: buffer.subarray(end + 1) };
}
