/** Sample registries for the end-to-end tests: one valid credential for every preset. */
import type { RegistryFields } from './pages/vault-page';

/** A service account JSON key shaped like the real file (the key material is fake). */
export const gcrKey = JSON.stringify(
  {
    type: 'service_account',
    project_id: 'acme-prod',
    private_key_id: 'k1',
    private_key: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n',
    client_email: 'pusher@acme-prod.iam.gserviceaccount.com',
  },
  null,
  2,
);

/** One entry per preset of the picker, with a URL valid for it; `shows` is the username the row must list. */
export const perPreset: ReadonlyArray<RegistryFields & { name: string; shows: string; registryShown: string }> = [
  {
    preset: 'Docker Hub',
    name: 'Hub',
    username: 'acme',
    password: 'dckr_pat_hub',
    shows: 'acme',
    registryShown: 'docker.io',
  },
  {
    preset: 'GitHub Container Registry',
    name: 'GitHub',
    username: 'octocat',
    password: 'ghp_token',
    shows: 'octocat',
    registryShown: 'ghcr.io',
  },
  {
    preset: 'GitLab Container Registry',
    name: 'GitLab',
    username: 'gitlab+deploy-token-7',
    password: 'gldt-secret',
    shows: 'gitlab+deploy-token-7',
    registryShown: 'registry.gitlab.com',
  },
  {
    preset: 'Google Container Registry / Artifact Registry',
    name: 'Google',
    password: gcrKey,
    shows: '_json_key',
    registryShown: 'gcr.io',
  },
  {
    preset: 'Amazon ECR',
    name: 'Amazon',
    registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
    password: 'ecr-token',
    shows: 'AWS',
    registryShown: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
  },
  {
    preset: 'Azure Container Registry',
    name: 'Azure',
    registry: 'myreg.azurecr.io',
    username: 'sp-app-id',
    password: 'acr-secret',
    shows: 'sp-app-id',
    registryShown: 'myreg.azurecr.io',
  },
  {
    preset: 'Quay',
    name: 'Quay',
    username: 'acme+robot',
    password: 'quay-token',
    shows: 'acme+robot',
    registryShown: 'quay.io',
  },
  {
    preset: 'Harbor',
    name: 'Harbor',
    registry: 'harbor.example.com',
    username: 'robot$ci',
    password: 'harbor-secret',
    shows: 'robot$ci',
    registryShown: 'harbor.example.com',
  },
  {
    preset: 'Private / self-hosted registry',
    name: 'Self-hosted',
    registry: 'registry.example.com:5000',
    username: 'builder',
    password: 'selfhosted-secret',
    shows: 'builder',
    registryShown: 'registry.example.com:5000',
  },
];

/** A plain entry for sync tests: `<host>.example.com` with a user and a secret named after it. */
export const sampleEntry = (name: string, host: string): RegistryFields => ({
  name,
  registry: `${host}.example.com`,
  username: `${host}-user`,
  password: `${host}-secret`,
});
