// A minimal OCI image layout made by hand (oci-layout, index.json, blobs): one gzipped layer holding
// one file, its config and manifest, so skopeo can push a real image without any network or daemon.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Writes an OCI layout under `dir` with one image tagged `tag`; returns `oci:<dir>:<tag>` for skopeo. */
export function writeOciImage(dir: string, tag = 'v1', content = 'hello from regvault\n'): string {
  const blobs = join(dir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const put = (bytes: Buffer) => {
    const digest = sha256(bytes);
    writeFileSync(join(blobs, digest), bytes);
    return { digest: `sha256:${digest}`, size: bytes.length };
  };
  // The layer: a real tar of one file (made by tar itself), gzipped.
  const src = mkdtempSync(join(tmpdir(), 'regvault-layer-'));
  writeFileSync(join(src, 'hello.txt'), content);
  const tar = execFileSync('tar', ['-C', src, '-cf', '-', 'hello.txt']);
  rmSync(src, { recursive: true, force: true });
  const layer = put(gzipSync(tar));
  const config = put(
    Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        config: {},
        rootfs: { type: 'layers', diff_ids: [`sha256:${sha256(tar)}`] },
      }),
    ),
  );
  const manifest = put(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
      }),
    ),
  );
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...manifest,
          annotations: { 'org.opencontainers.image.ref.name': tag },
        },
      ],
    }),
  );
  return `oci:${dir}:${tag}`;
}
