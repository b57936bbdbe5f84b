// skopeo as the pipeline's registry client: push an image from an OCI layout, pull it back, reading
// the job's Docker config (and running docker-credential-regvault from the job's PATH).
import { execFile } from 'node:child_process';

/** What skopeo printed and how it exited. */
export type SkopeoResult = Readonly<{ code: number; output: string }>;

function skopeo(args: readonly string[], env: Readonly<Record<string, string>>): Promise<SkopeoResult> {
  return new Promise((done) => {
    execFile('skopeo', [...args], { env: { ...env }, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      done({ code, output: `${stdout}${stderr}` });
    });
  });
}

/** Pushes `source` (e.g. `oci:<dir>:v1`) to `docker://<host>/<image>` with the config at `authfile`. */
export function skopeoPush(
  source: string,
  host: string,
  image: string,
  authfile: string,
  env: Readonly<Record<string, string>>,
) {
  return skopeo(['copy', '--dest-tls-verify=false', '--authfile', authfile, source, `docker://${host}/${image}`], env);
}

/** Pulls `docker://<host>/<image>` into the `dir:` layout `target`. */
export function skopeoPull(
  host: string,
  image: string,
  target: string,
  authfile: string,
  env: Readonly<Record<string, string>>,
) {
  return skopeo(
    ['copy', '--src-tls-verify=false', '--authfile', authfile, `docker://${host}/${image}`, `dir:${target}`],
    env,
  );
}
