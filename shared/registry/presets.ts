/**
 * Registry presets: the hints, username conventions and token lifetimes of the registries
 * the seed names (DESIGN.md §2). Presets only fill and explain the form; any registry key
 * works without one. Matching is on the normalized key (see `toRegistryKey`).
 */
import { DOCKER_HUB_KEY } from './registry-key';

/** Every preset id; stored on entries, so ids are never renamed. */
export const presetIds = [
  'docker-hub',
  'ghcr',
  'gitlab',
  'gcr',
  'ecr',
  'acr-entra',
  'acr',
  'quay',
  'harbor',
  'private',
] as const;

/** One preset id. */
export type PresetId = (typeof presetIds)[number];

/** How a registry's form is filled and explained; `matches` recognises the registry from its key. */
export type RegistryPreset = Readonly<{
  id: PresetId;
  label: string;
  /** The URL shape shown as a placeholder, e.g. `<account>.dkr.ecr.<region>.amazonaws.com`. */
  exampleUrl: string;
  /** The URL filled in when the preset is picked, when the registry has one fixed URL. */
  defaultUrl?: string;
  usernameHint: string;
  /** The username every credential of this kind uses (ECR: `AWS`). */
  defaultUsername?: string;
  secretLabel: string;
  secretHint: string;
  /** True when the secret spans lines (a JSON key file): show a text area. */
  secretMultiline: boolean;
  /** How long a freshly issued credential lives, when the registry fixes it. */
  lifetimeMs?: number;
  /** Where to create the credential (seed text where the seed has it). */
  tokenHelp: string;
  matches: (key: string, username?: string) => boolean;
}>;

/** Hours in milliseconds. */
const HOUR = 3_600_000;

/** The username of an ACR access token obtained through Microsoft Entra ID. */
export const ACR_TOKEN_USERNAME = '00000000-0000-0000-0000-000000000000';

const GCR_HOSTS: ReadonlySet<string> = new Set(['gcr.io', 'us.gcr.io', 'eu.gcr.io', 'asia.gcr.io']);
const ECR_HOST = /^[^.]+\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;
const ACR_HOST = /^[^.]+\.azurecr\.(io|cn|us)$/;

/** The host of a key without its port. */
function hostOf(key: string): string {
  return key.replace(/:\d+$/, '');
}

/** Recognises a product by a dot-separated part of a self-hosted name, e.g. `gitlab.acme.com`. */
function hasLabel(key: string, pattern: RegExp): boolean {
  return hostOf(key)
    .split('.')
    .some((label) => pattern.test(label));
}

/** Every preset, most specific first: `detectPreset` returns the first that matches. */
export const registryPresets: readonly RegistryPreset[] = [
  {
    id: 'docker-hub',
    label: 'Docker Hub',
    exampleUrl: 'docker.io',
    defaultUrl: 'docker.io',
    usernameHint: 'Your Docker Hub username',
    secretLabel: 'Access token',
    secretHint: 'Docker Hub access token (recommended) or password',
    secretMultiline: false,
    tokenHelp: 'Create an access token at Docker Hub → Account Settings → Security → Access Tokens.',
    matches: (key) => key === DOCKER_HUB_KEY,
  },
  {
    id: 'ghcr',
    label: 'GitHub Container Registry',
    exampleUrl: 'ghcr.io',
    defaultUrl: 'ghcr.io',
    usernameHint: 'Your GitHub username',
    secretLabel: 'Personal access token',
    secretHint: 'Personal access token with write:packages scope (read:packages to pull only)',
    secretMultiline: false,
    tokenHelp: 'Create a PAT at GitHub → Settings → Developer settings → Personal access tokens.',
    matches: (key) => key === 'ghcr.io',
  },
  {
    id: 'gitlab',
    label: 'GitLab Container Registry',
    exampleUrl: 'registry.gitlab.com',
    defaultUrl: 'registry.gitlab.com',
    usernameHint: 'Your GitLab username, or a deploy token user (gitlab+deploy-token-N)',
    secretLabel: 'Access token',
    secretHint: 'Personal access token with read_registry and write_registry scopes',
    secretMultiline: false,
    tokenHelp:
      'Create a personal access token at GitLab → User settings → Access tokens, or a deploy token at Project → Settings → Repository → Deploy tokens.',
    matches: (key) => hasLabel(key, /^gitlab$/),
  },
  {
    id: 'gcr',
    label: 'Google Container Registry / Artifact Registry',
    exampleUrl: 'gcr.io, us.gcr.io, eu.gcr.io, asia.gcr.io or <location>-docker.pkg.dev',
    defaultUrl: 'gcr.io',
    usernameHint: '_json_key',
    defaultUsername: '_json_key',
    secretLabel: 'Service account key',
    secretHint: 'Service account JSON key (entire file contents)',
    secretMultiline: true,
    tokenHelp: 'Create a JSON key at Google Cloud console → IAM & Admin → Service accounts → Keys → Add key.',
    matches: (key) => GCR_HOSTS.has(key) || /^[a-z0-9-]+-docker\.pkg\.dev$/.test(key),
  },
  {
    id: 'ecr',
    label: 'Amazon ECR',
    exampleUrl: '<account-id>.dkr.ecr.<region>.amazonaws.com',
    usernameHint: 'AWS',
    defaultUsername: 'AWS',
    secretLabel: 'Authorization token',
    secretHint: 'ECR authorization token (expires every 12 hours)',
    secretMultiline: false,
    lifetimeMs: 12 * HOUR,
    tokenHelp:
      'Run `aws ecr get-login-password --region <region>`. Amazon ECR tokens expire every 12 hours. Consider using ECR credential helpers in your pipeline instead of static credentials.',
    matches: (key) => ECR_HOST.test(key),
  },
  {
    id: 'acr-entra',
    label: 'Azure Container Registry (Entra access token)',
    exampleUrl: '<registry-name>.azurecr.io',
    usernameHint: ACR_TOKEN_USERNAME,
    defaultUsername: ACR_TOKEN_USERNAME,
    secretLabel: 'Access token',
    secretHint: 'Microsoft Entra access token (expires after 3 hours)',
    secretMultiline: false,
    lifetimeMs: 3 * HOUR,
    tokenHelp: 'Run `az acr login --name <registry-name> --expose-token` and paste the accessToken value.',
    matches: (key, username) => ACR_HOST.test(key) && username === ACR_TOKEN_USERNAME,
  },
  {
    id: 'acr',
    label: 'Azure Container Registry',
    exampleUrl: '<registry-name>.azurecr.io',
    usernameHint: 'Service principal application ID or admin username',
    secretLabel: 'Password',
    secretHint: 'Service principal password or admin password',
    secretMultiline: false,
    tokenHelp:
      'Azure portal → your registry → Access keys (admin user), or Entra ID → App registrations (service principal).',
    matches: (key) => ACR_HOST.test(key),
  },
  {
    id: 'quay',
    label: 'Quay',
    exampleUrl: 'quay.io',
    defaultUrl: 'quay.io',
    usernameHint: 'Robot account, e.g. org+robot',
    secretLabel: 'Robot token',
    secretHint: "The robot account's token",
    secretMultiline: false,
    tokenHelp: 'Quay → your organization → Robot Accounts → create a robot and copy its token.',
    matches: (key) => key === 'quay.io' || hasLabel(key, /^quay$/),
  },
  {
    id: 'harbor',
    label: 'Harbor',
    exampleUrl: 'harbor.example.com',
    usernameHint: 'Robot account, e.g. robot$name (Harbor 2: robot$project+name)',
    secretLabel: 'Robot secret',
    secretHint: "The robot account's secret",
    secretMultiline: false,
    tokenHelp: 'Harbor → your project → Robot Accounts → New robot account, and copy its secret.',
    matches: (key) => hasLabel(key, /^(go)?harbor(-|$)/),
  },
  {
    id: 'private',
    label: 'Private / self-hosted registry',
    exampleUrl: 'registry.example.com:5000',
    usernameHint: 'Registry username',
    secretLabel: 'Password',
    secretHint: 'Registry password',
    secretMultiline: false,
    tokenHelp: 'Include the port if not using default (443 for HTTPS, 80 for HTTP).',
    matches: () => true,
  },
];

/** The preset with this id; every `PresetId` has one. */
export function getPreset(id: PresetId): RegistryPreset {
  const preset = registryPresets.find((p) => p.id === id);
  if (preset === undefined) throw new Error(`Unknown preset ${id}`); // unreachable: ids and list agree (tested)
  return preset;
}

/** True when `value` is a known preset id (e.g. read from an older or newer vault). */
export function isPresetId(value: string): value is PresetId {
  return (presetIds as readonly string[]).includes(value);
}

/** The preset a registry key belongs to; the username refines ACR to its Entra-token form. Falls back to `private`. */
export function detectPreset(key: string, username?: string): RegistryPreset {
  return registryPresets.find((p) => p.matches(key, username)) ?? getPreset('private');
}
