/**
 * What a test registry holds, read two ways: through its API (catalog, tags) and its storage folder (every file
 * under `docker/registry/v2`), so a test can prove that a check left no blob, upload or tag behind. Also pushes a
 * small real image (one layer, an OCI manifest) through the API.
 */
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** Every file of the storage folder, as paths relative to it, sorted. */
export async function listStorageFiles(dataDir: string): Promise<string[]> {
  const entries = await readdir(dataDir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dataDir, join(entry.parentPath, entry.name)))
    .sort();
}

/** Upload folders still in the storage folder (`_uploads/<id>`): a cancelled upload leaves none. */
export async function listUploads(dataDir: string): Promise<string[]> {
  const entries = await readdir(dataDir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isDirectory() && entry.parentPath.endsWith('_uploads'))
    .map((entry) => relative(dataDir, join(entry.parentPath, entry.name)))
    .sort();
}

/** A registry's catalog and the tags of each repository in it, through the API. */
export async function readCatalog(
  url: string,
  authorization?: (scope: string) => Promise<string>,
): Promise<Record<string, string[]>> {
  const headers = async (scope: string): Promise<Record<string, string>> =>
    authorization === undefined ? {} : { authorization: await authorization(scope) };
  const catalog = await fetch(`${url}/v2/_catalog`, { headers: await headers('registry:catalog:*') });
  if (!catalog.ok) throw new Error(`catalog: HTTP ${catalog.status}`);
  const { repositories } = (await catalog.json()) as { repositories: string[] };
  const tags: Record<string, string[]> = {};
  for (const name of repositories) {
    const answer = await fetch(`${url}/v2/${name}/tags/list`, { headers: await headers(`repository:${name}:pull`) });
    const body = (await answer.json()) as { tags?: string[] | null };
    tags[name] = [...(body.tags ?? [])].sort();
  }
  return tags;
}

function digestOf(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

async function uploadBlob(url: string, name: string, data: Buffer, authorization: string | undefined): Promise<string> {
  const digest = digestOf(data);
  const auth: Record<string, string> = authorization === undefined ? {} : { authorization };
  const started = await fetch(`${url}/v2/${name}/blobs/uploads/`, { method: 'POST', headers: auth });
  if (started.status !== 202) throw new Error(`upload start: HTTP ${started.status}`);
  const location = new URL(started.headers.get('location') ?? '', url);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, {
    method: 'PUT',
    headers: { ...auth, 'content-type': 'application/octet-stream' },
    body: new Uint8Array(data),
  });
  if (put.status !== 201) throw new Error(`upload: HTTP ${put.status} ${await put.text()}`);
  return digest;
}

/** Pushes a one-layer image `name:tag` through the registry API (as `docker push` would). */
export async function pushTestImage(url: string, name: string, tag: string, authorization?: string): Promise<void> {
  const layer = Buffer.from(`layer of ${name}:${tag}`);
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [digestOf(layer)] } }),
  );
  const layerDigest = await uploadBlob(url, name, layer, authorization);
  const configDigest = await uploadBlob(url, name, config, authorization);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: layer.length }],
  });
  const contentType = 'application/vnd.oci.image.manifest.v1+json';
  const auth: Record<string, string> = authorization === undefined ? {} : { authorization };
  const put = await fetch(`${url}/v2/${name}/manifests/${tag}`, {
    method: 'PUT',
    headers: { ...auth, 'content-type': contentType },
    body: manifest,
  });
  if (put.status !== 201) throw new Error(`manifest: HTTP ${put.status} ${await put.text()}`);
}

/** A Bearer header from a token service for `scope`, with Basic credentials (what a client does before pushing). */
export async function fetchBearer(
  realm: string,
  service: string,
  user: string,
  password: string,
  scope: string,
): Promise<string> {
  const url = new URL(realm);
  url.searchParams.set('service', service);
  url.searchParams.set('scope', scope);
  const basic = Buffer.from(`${user}:${password}`).toString('base64');
  const answer = await fetch(url, { headers: { authorization: `Basic ${basic}` } });
  if (!answer.ok) throw new Error(`token: HTTP ${answer.status}`);
  const { token } = (await answer.json()) as { token: string };
  return `Bearer ${token}`;
}
