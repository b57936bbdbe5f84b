/** The entry model: types and schemas, the Yjs layout, transitions, search and status. */
export {
  ENTRY_NOT_FOUND_MESSAGE,
  REGISTRY_IMMUTABLE_MESSAGE,
  SECRET_MISSING,
  USERNAME_MISSING,
  entryError,
  entryErrorCodes,
  entryFieldsSchema,
  entrySchema,
  isEntryField,
  lastCheckSchema,
  rotationFlagSchema,
  type Entry,
  type EntryContext,
  type EntryErrorCode,
  type EntryFailure,
  type EntryField,
  type EntryResult,
  type LastCheck,
  type RotationFlag,
} from './entry';
export {
  ENTRIES_MAP,
  SECRETS_FIELD,
  decodeEntry,
  getEntriesMap,
  type DecodedEntry,
  type SecretVersion,
} from './entry-doc';
export { entryPatchSchema, newEntryInputSchema, type EntryPatch, type NewEntryInput } from './entry-input';
export { addEntries, addEntry } from './entry-create';
export { deleteEntry, editEntry, findEntriesByRegistry, getEntry } from './entry-mutations';
export { flagRotation, recordCheck, type FlagRotationResult } from './entry-flags';
export {
  listEntries,
  resolveConflict,
  resolveSecretConflict,
  type EntryList,
  type RegistryConflict,
  type SecretConflict,
} from './entry-list';
export {
  buildSearchIndex,
  filterIndex,
  searchEntries,
  searchIndex,
  toSearchTerms,
  type SearchIndex,
  type SearchResult,
} from './search';
export { watchEntries, type EntrySnapshot } from './entry-set';
export {
  EXPIRES_SOON_FRACTION,
  EXPIRES_SOON_MAX_MS,
  describeBadge,
  entryBadges,
  entryStatus,
  expiresSoonWindow,
  needsRotation,
  rotationDueAt,
  type EntryBadge,
} from './status';
export {
  DEFAULT_HISTORY_LIMIT,
  HISTORY_FIELD,
  MAX_HISTORY_LIMIT,
  normalizeHistoryLimit,
  type PreviousSecret,
} from './secret-history';
export { readSecretHistory, restoreSecret, trimSecretHistory } from './secret-restore';
export { copyEntryTo, moveEntryTo } from './entry-transfer';
