/**
 * Registry bearer tokens as distribution 2.8 verifies them (registry/auth/token): a compact JWS whose header carries
 * the signing certificate chain in `x5c` (base64 DER, leaf first) chaining to `rootcertbundle`, and whose claims
 * carry `iss`, `aud` (a single string: the service), `exp`/`nbf` (±60 s leeway) and `access`.
 * ES256 signatures are raw R‖S (IEEE P1363), not DER, as JWS requires.
 */
import { X509Certificate, createPrivateKey, randomBytes, sign } from 'node:crypto';
import type { CertificatePair } from './certificates';
import { createCertificateAuthority, createSigningCertificate } from './certificates';

/** A signing key with its chain (leaf first, PEM) and the root a registry must trust. */
export type TokenSigner = Readonly<{ privateKey: string; chain: readonly string[]; root: CertificatePair }>;

/** One entry of the `access` claim. */
export type TokenAccess = Readonly<{ type: string; name: string; actions: readonly string[] }>;

/** What a token says. */
export type TokenClaims = Readonly<{
  issuer: string;
  audience: string;
  subject: string;
  access: readonly TokenAccess[];
}>;

function encodeBase64Url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** Creates a CA and a signer certificate under it (P-256), files in `dir`. */
export async function createTokenSigner(dir: string, name: string): Promise<TokenSigner> {
  const root = await createCertificateAuthority(dir, `${name}-root`);
  const leaf = await createSigningCertificate(dir, `${name}-signer`, root);
  return { privateKey: leaf.key, chain: [leaf.cert, root.cert], root };
}

/** Signs a registry token (ES256 for EC keys, RS256 for RSA keys) valid five minutes. */
export function signRegistryToken(
  signer: TokenSigner,
  claims: TokenClaims,
  nowSeconds = Math.floor(Date.now() / 1000),
): string {
  const key = createPrivateKey(signer.privateKey);
  const ec = key.asymmetricKeyType === 'ec';
  const header = {
    typ: 'JWT',
    alg: ec ? 'ES256' : 'RS256',
    x5c: signer.chain.map((pem) => new X509Certificate(pem).raw.toString('base64')),
  };
  const payload = {
    iss: claims.issuer,
    sub: claims.subject,
    aud: claims.audience,
    exp: nowSeconds + 300,
    nbf: nowSeconds - 10,
    iat: nowSeconds,
    jti: randomBytes(12).toString('hex'),
    access: claims.access,
  };
  const signingInput = `${encodeBase64Url(JSON.stringify(header))}.${encodeBase64Url(JSON.stringify(payload))}`;
  const signature = sign('sha256', Buffer.from(signingInput), ec ? { key, dsaEncoding: 'ieee-p1363' } : key);
  return `${signingInput}.${encodeBase64Url(signature)}`;
}
