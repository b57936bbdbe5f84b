/** Registry rules: keys as Docker writes them, presets, and soft checks of a credential. */
export {
  DOCKER_HUB_API_HOST,
  DOCKER_HUB_DISPLAY,
  DOCKER_HUB_KEY,
  HUB_WEBSITE_HINT,
  displayRegistry,
  isSameRegistry,
  registryHostForApi,
  toRegistryKey,
  type RegistryKeyResult,
} from './registry-key';
export type { Refusal } from './host';
export {
  ACR_TOKEN_USERNAME,
  detectPreset,
  getPreset,
  isPresetId,
  presetIds,
  registryPresets,
  type PresetId,
  type RegistryPreset,
} from './presets';
export { checkServiceAccountKey, presetWarnings, type PresetWarning, type PresetWarningInput } from './preset-warnings';
