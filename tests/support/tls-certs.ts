// A throw-away certificate authority and a server certificate for 127.0.0.1 it signed, made with the
// openssl command-line tool, for tests of `wss://`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Paths of the CA certificate and the server's certificate and key (PEM), and the CA's PEM text. */
export type TestCertificates = Readonly<{ dir: string; caCert: string; caPem: string; cert: string; key: string }>;

/** Makes a CA and a certificate for `IP:127.0.0.1` signed by it, valid for a day. */
export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'regvault-tls-'));
  const path = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe', cwd: dir });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=Regvault test CA',
    '-keyout',
    path('ca.key'),
    '-out',
    path('ca.crt'),
  );
  openssl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    path('server.key'),
    '-out',
    path('server.csr'),
  );
  writeFileSync(path('ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(
    'x509',
    '-req',
    '-in',
    path('server.csr'),
    '-CA',
    path('ca.crt'),
    '-CAkey',
    path('ca.key'),
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    path('ext.cnf'),
    '-out',
    path('server.crt'),
  );
  return {
    dir,
    caCert: path('ca.crt'),
    caPem: readFileSync(path('ca.crt'), 'utf8'),
    cert: path('server.crt'),
    key: path('server.key'),
  };
}
