import { NOT_RUN_HINT, type LoginCheckCode } from '../../../shared/registry/login-check-codes';
import type { FailureDetail } from './http-request';
import type { RegistryKind } from './target';

/** What a hint may depend on: the outcome, the kind of registry, and what the user gave. */
export type HintContext = Readonly<{
  code: LoginCheckCode;
  kind: RegistryKind;
  /** `host[:port]` of the registry, for sentences that name it. */
  authority: string;
  portGiven: boolean;
  detail: FailureDetail;
  caGiven: boolean;
  /** The registry answered /v2/ without asking for credentials. */
  anonymous: boolean;
}>;

// Sentences from the product page's troubleshooting list (the seed), kept word for word where possible.
const verifyUsername = 'Verify username is correct.';
const checkExpiry = 'Check if password/token has expired, and if so edit the registry and enter a new password/token.';
const hubAccessToken =
  'For Docker Hub, use an access token instead of password (Docker Hub → Account Settings → Security → Access Tokens), and your Docker ID as username, not your email.';
const ecrExpiry =
  'ECR tokens expire every 12 hours: for ECR, regenerate the authorization token (aws ecr get-login-password) and use the username AWS.';
const permissions = 'Ensure token has required permissions (push/pull) and the credentials have read access.';
const useDockerIo = 'For Docker Hub, use docker.io not hub.docker.com.';
const hostnameFormat =
  'Use the correct hostname format: host or host:port, without a path (for example registry.example.com:5000).';
const includePort = 'Include port number if using non-standard ports.';
const connectivity = 'Verify network connectivity to the registry (VPN, proxy, firewall).';
const httpsSupported = 'Ensure HTTPS is supported by the registry.';
const selfSigned =
  "Self-signed certificates need the registry's CA certificate: add it to this registry, or ask your administrator for it.";

function hintForUnauthorized(kind: RegistryKind): string {
  if (kind === 'ecr') return `${ecrExpiry} ${checkExpiry}`;
  if (kind === 'docker-hub') return `${hubAccessToken} ${checkExpiry}`;
  return `${verifyUsername} ${checkExpiry}`;
}

function hintForForbidden(kind: RegistryKind): string {
  if (kind === 'ecr')
    return `${permissions} For ECR, the IAM identity needs ecr:GetAuthorizationToken and pull/push rights.`;
  if (kind === 'docker-hub') return `${permissions} For Docker Hub, give the access token Read or Read & Write scope.`;
  return permissions;
}

function hintForTls(context: HintContext): string {
  if (context.code === 'tls-untrusted') {
    return context.caGiven
      ? "The CA certificate given does not sign this registry's certificate: check that it is the registry's CA (PEM), not another one."
      : selfSigned;
  }
  if (context.detail === 'not-tls') {
    return `${httpsSupported} This port answers plain HTTP; ${includePort.toLowerCase()} A registry without HTTPS must be marked insecure (credentials then travel unencrypted).`;
  }
  if (context.detail === 'hostname-mismatch') {
    return `Use the hostname the registry's certificate was issued for; ${context.authority} is not among its names.`;
  }
  if (context.detail === 'bad-ca-certificate') {
    return "Paste the registry's CA certificate in PEM form, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.";
  }
  if (context.detail === 'expired')
    return "The registry's certificate has expired or is not valid yet; ask the registry's administrator to renew it.";
  return `${httpsSupported} ${includePort}`;
}

function hintForNotARegistry(context: HintContext): string {
  if (context.kind === 'docker-hub-website') return useDockerIo;
  return `${hostnameFormat} ${includePort} The address must point to the registry API, not its web interface.`;
}

/** Picks the advice for an outcome, specific to the registry (Docker Hub, ECR, …) where the seed says more. */
export function selectHint(context: HintContext): string {
  switch (context.code) {
    case 'ok':
      return context.anonymous
        ? 'For private images, verify authentication is working: this registry did not ask for credentials at /v2/, so they were not tested.'
        : '';
    case 'unauthorized':
      return hintForUnauthorized(context.kind);
    case 'forbidden':
      return hintForForbidden(context.kind);
    case 'not-a-registry':
      return hintForNotARegistry(context);
    case 'dns':
      return context.kind === 'docker-hub-website' ? useDockerIo : `${hostnameFormat} ${connectivity}`;
    case 'refused':
      return context.portGiven
        ? `Check that the registry runs and listens on ${context.authority}. ${connectivity}`
        : `${includePort} ${connectivity}`;
    case 'unreachable':
    case 'timeout':
      return `${connectivity} ${includePort}`;
    case 'tls-untrusted':
    case 'tls-error':
      return hintForTls(context);
    case 'rate-limited':
      return context.kind === 'docker-hub'
        ? 'Wait a few minutes and check again. For Docker Hub, use an access token: authenticated users get higher limits.'
        : 'Wait a few minutes and check again; check token expiration policies for your registry.';
    case 'bad-response':
      return `${hostnameFormat} ${httpsSupported} If the registry reported a server error, try again later.`;
    case 'unsupported-auth':
      return 'This registry asks for an authentication scheme other than Basic or Bearer; check with its administrator which credentials docker login expects.';
    case 'insecure-refused':
      return `${httpsSupported} Plain HTTP is used only for loopback addresses or a registry marked insecure, because credentials would travel unencrypted.`;
    case 'invalid-registry':
      return `${hostnameFormat} ${useDockerIo}`;
    case 'not-run':
      return NOT_RUN_HINT;
  }
}
