import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A PEM certificate and its PEM private key (PKCS#8), plus where both were written. */
export type CertificatePair = Readonly<{ cert: string; key: string; certPath: string; keyPath: string }>;

const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function readPair(certPath: string, keyPath: string): Promise<CertificatePair> {
  return { cert: await readFile(certPath, 'utf8'), key: await readFile(keyPath, 'utf8'), certPath, keyPath };
}

/**
 * A self-signed P-256 certificate for a TLS server, valid one day. `subjectAltName` like `IP:127.0.0.1`.
 * Being self-signed, it is its own CA: pass `cert` as `caCertificate` to trust it.
 */
export async function createServerCertificate(
  dir: string,
  name: string,
  subjectAltName: string,
): Promise<CertificatePair> {
  const certPath = join(dir, `${name}.crt`);
  const keyPath = join(dir, `${name}.key`);
  const subject = ['-subj', `/CN=${name}`, '-addext', `subjectAltName=${subjectAltName}`];
  await run('openssl', ['req', '-x509', ...ecKey, '-keyout', keyPath, '-out', certPath, '-days', '1', ...subject]);
  return readPair(certPath, keyPath);
}

/** A self-signed P-256 CA (basicConstraints CA:TRUE, keyCertSign), valid one day. */
export async function createCertificateAuthority(dir: string, name: string): Promise<CertificatePair> {
  const certPath = join(dir, `${name}.crt`);
  const keyPath = join(dir, `${name}.key`);
  const extensions = [
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ];
  await run('openssl', [
    'req',
    '-x509',
    ...ecKey,
    '-keyout',
    keyPath,
    '-out',
    certPath,
    '-days',
    '1',
    '-subj',
    `/CN=${name}`,
    ...extensions,
  ]);
  return readPair(certPath, keyPath);
}

/** A P-256 leaf certificate for signing (digitalSignature), issued by `authority`, valid one day. */
export async function createSigningCertificate(
  dir: string,
  name: string,
  authority: CertificatePair,
): Promise<CertificatePair> {
  const certPath = join(dir, `${name}.crt`);
  const keyPath = join(dir, `${name}.key`);
  const requestPath = join(dir, `${name}.csr`);
  const extensionsPath = join(dir, `${name}.ext`);
  await writeFile(extensionsPath, 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n');
  await run('openssl', ['req', '-new', ...ecKey, '-keyout', keyPath, '-out', requestPath, '-subj', `/CN=${name}`]);
  const issuer = ['-CA', authority.certPath, '-CAkey', authority.keyPath, '-set_serial', String(Date.now())];
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    requestPath,
    ...issuer,
    '-out',
    certPath,
    '-days',
    '1',
    '-extfile',
    extensionsPath,
  ]);
  return readPair(certPath, keyPath);
}
