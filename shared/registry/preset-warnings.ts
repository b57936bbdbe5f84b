/**
 * Soft checks of a credential against its registry's conventions. They never block saving:
 * registries change their rules faster than we ship, so a wrong guess must cost a warning,
 * not a credential the user cannot store.
 */
import { detectPreset, getPreset, type PresetId, type RegistryPreset } from './presets';

/** One soft warning, attached to the form field it is about. */
export type PresetWarning = Readonly<{ field: 'registry' | 'username' | 'secret'; message: string }>;

/** What the warnings look at: a normalized key, and the username and secret as typed. */
export type PresetWarningInput = Readonly<{ key: string; username?: string; secret?: string; presetId?: PresetId }>;

const ECR_SHAPE = /^(?<account>[^.]+)\.dkr\.ecr(-fips)?\.(?<region>[^.]+)\.amazonaws\.com(\.cn)?$/;
const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const ARTIFACT_REGISTRY = /^(?<location>[a-z0-9-]+)-docker\.pkg\.dev$/;
const GCP_LOCATION = /^[a-z]+(-[a-z]+\d+)?$/;
const GCR_USERNAMES: ReadonlySet<string> = new Set(['_json_key', '_json_key_base64', 'oauth2accesstoken']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Lists what looks wrong for the registry's preset (the chosen one, else the detected one); empty when all is well. */
export function presetWarnings(input: PresetWarningInput): readonly PresetWarning[] {
  const preset = input.presetId === undefined ? detectPreset(input.key, input.username) : getPreset(input.presetId);
  const warnings: PresetWarning[] = [];
  if (input.presetId !== undefined && !matchesHost(preset, input.key)) {
    warnings.push({
      field: 'registry',
      message: `This URL does not look like ${preset.label}: expected ${preset.exampleUrl}.`,
    });
  }
  const username = input.username?.trim() ?? '';
  if (preset.defaultUsername !== undefined && username !== '' && username !== preset.defaultUsername) {
    if (preset.id !== 'gcr' || !GCR_USERNAMES.has(username)) {
      warnings.push({ field: 'username', message: `${preset.label} expects the username ${preset.defaultUsername}.` });
    }
  }
  warnings.push(...checkRegistryShape(preset.id, input.key));
  if (input.secret !== undefined && input.secret !== '')
    warnings.push(...checkSecret(preset.id, username, input.secret));
  return warnings;
}

/** Host match without the username refinement, so an Entra token preset still accepts any `*.azurecr.io`. */
function matchesHost(preset: RegistryPreset, key: string): boolean {
  return preset.id === 'acr-entra' ? getPreset('acr').matches(key) : preset.matches(key);
}

function checkRegistryShape(id: PresetId, key: string): PresetWarning[] {
  if (id === 'ecr') {
    const groups = ECR_SHAPE.exec(key)?.groups;
    if (groups === undefined) return [];
    const out: PresetWarning[] = [];
    if (!/^\d{12}$/.test(groups['account'] ?? '')) {
      out.push({ field: 'registry', message: 'An ECR registry URL starts with your 12-digit AWS account ID.' });
    }
    if (!AWS_REGION.test(groups['region'] ?? '')) {
      out.push({ field: 'registry', message: 'The part after dkr.ecr. should be an AWS region, e.g. us-east-1.' });
    }
    return out;
  }
  if (id === 'acr' || id === 'acr-entra') {
    const name = key.split('.')[0] ?? '';
    return /^[a-z0-9]{5,50}$/.test(name)
      ? []
      : [{ field: 'registry', message: 'An Azure registry name has 5–50 letters and digits only (no hyphens).' }];
  }
  if (id === 'gcr') {
    const location = ARTIFACT_REGISTRY.exec(key)?.groups?.['location'];
    if (location === undefined || GCP_LOCATION.test(location)) return [];
    return [
      {
        field: 'registry',
        message: 'Artifact Registry URLs look like <location>-docker.pkg.dev, e.g. us-central1-docker.pkg.dev.',
      },
    ];
  }
  return [];
}

function checkSecret(id: PresetId, username: string, secret: string): PresetWarning[] {
  if (id === 'gcr' && (username === '_json_key' || username === '_json_key_base64')) {
    const text = username === '_json_key' ? secret : decodeBase64(secret.trim());
    const problem = text === undefined ? 'The key is not valid base64.' : checkServiceAccountKey(text);
    return problem === undefined ? [] : [{ field: 'secret', message: problem }];
  }
  if (id === 'docker-hub' && !/^dckr_(pat|oat)_/.test(secret) && !UUID.test(secret)) {
    return [
      {
        field: 'secret',
        message: 'This looks like a password. For Docker Hub, use an access token instead of a password.',
      },
    ];
  }
  return [];
}

/** Why `text` is not a service account JSON key, or undefined when it is one. */
export function checkServiceAccountKey(text: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'Paste the entire JSON key file: this is not valid JSON.';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return 'The JSON key must be a JSON object.';
  const key = parsed as Record<string, unknown>;
  if (key['type'] !== 'service_account') return 'The JSON key should have "type": "service_account".';
  if (typeof key['private_key'] !== 'string' || typeof key['client_email'] !== 'string') {
    return 'The JSON key is missing private_key or client_email: paste the entire file.';
  }
  return undefined;
}

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Decodes standard base64 into a string of byte values (enough for ASCII JSON), or undefined if malformed. */
export function decodeBase64(text: string): string | undefined {
  const clean = text.replace(/[\r\n]/g, '');
  if (clean.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) return undefined;
  const body = clean.replace(/=+$/, '');
  let out = '';
  let bits = 0;
  let buffer = 0;
  for (const char of body) {
    buffer = ((buffer << 6) | BASE64_ALPHABET.indexOf(char)) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += String.fromCharCode((buffer >> bits) & 0xff);
    }
  }
  return out;
}
