/**
 * Exports credentials as a Kubernetes image-pull secret (`kubernetes.io/dockerconfigjson`),
 * the same object `kubectl create secret docker-registry` makes, as YAML text.
 */
import { encodeAuth } from './docker-config/config-file';
import { validateCredentials } from './docker-config/plan';
import { failure, success } from './docker-config/types';
import type { DockerConfigResult, DockerCredential } from './docker-config/types';

/** Name and namespace of the Secret; the namespace line is left out when none is given. */
export type KubeSecretOptions = Readonly<{ name: string; namespace?: string }>;

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

// True for a valid Kubernetes object name (RFC 1123 subdomain, at most 253 characters).
function isDns1123Subdomain(name: string): boolean {
  return name.length <= 253 && DNS1123_SUBDOMAIN.test(name);
}

/** True for a valid namespace name (RFC 1123 label, at most 63 characters). */
export function isDns1123Label(name: string): boolean {
  return name.length <= 63 && DNS1123_LABEL.test(name);
}

/** The `.dockerconfigjson` payload: `{auths: {key: {username, password, auth, email?}}}` as kubectl writes it. */
export function buildDockerConfigJson(credentials: readonly DockerCredential[]): DockerConfigResult<string> {
  const valid = validateCredentials(credentials);
  if (!valid.ok) return valid;
  const auths: Record<string, Readonly<Record<string, string>>> = {};
  for (const credential of valid.value) {
    auths[credential.registry] = {
      username: credential.username,
      password: credential.secret,
      auth: encodeAuth(credential.username, credential.secret),
      ...(credential.email !== undefined ? { email: credential.email } : {}),
    };
  }
  return success(JSON.stringify({ auths }));
}

/** A `kind: Secret` manifest holding these credentials, ready for `kubectl apply -f`. */
export function exportImagePullSecret(
  credentials: readonly DockerCredential[],
  options: KubeSecretOptions,
): DockerConfigResult<string> {
  if (!isDns1123Subdomain(options.name)) {
    return failure(
      'invalid-entry',
      `"${options.name}" is not a valid Secret name: use lower-case letters, digits, "-" and ".", starting and ending with a letter or digit (at most 253).`,
    );
  }
  if (options.namespace !== undefined && !isDns1123Label(options.namespace)) {
    return failure(
      'invalid-entry',
      `"${options.namespace}" is not a valid namespace: use lower-case letters, digits and "-", starting and ending with a letter or digit (at most 63).`,
    );
  }
  if (credentials.length === 0) return failure('invalid-entry', 'Pick at least one credential to put in the Secret.');
  const payload = buildDockerConfigJson(credentials);
  if (!payload.ok) return payload;
  // Name and namespace are validated above, so they need no YAML quoting; base64 never does.
  const lines = [
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    `  name: ${options.name}`,
    ...(options.namespace !== undefined ? [`  namespace: ${options.namespace}`] : []),
    'type: kubernetes.io/dockerconfigjson',
    'data:',
    `  .dockerconfigjson: ${Buffer.from(payload.value, 'utf8').toString('base64')}`,
  ];
  return success(`${lines.join('\n')}\n`);
}
