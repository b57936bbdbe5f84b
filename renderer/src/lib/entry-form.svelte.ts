import type { Entry } from '../../../shared/entries';
import type { Result } from '../../../shared/ipc/result';
import { getPreset, isPresetId, registryPresets, type RegistryPreset } from '../../../shared/registry';
import {
  blankForm,
  choosePreset,
  expiryHint,
  fieldOfError,
  formFromEntry,
  formWarnings,
  showsTlsOptions,
  toEntryPatch,
  toNewEntryInput,
  type EntryFormFields,
  type FieldMessages,
  type FormMode,
} from './entry-form';
import type { VaultView } from './vault-view.svelte';

/** Every preset the picker offers, in the model's order. */
export const presetOptions: readonly RegistryPreset[] = registryPresets;

/**
 * One open add or edit form: the fields as typed, the errors of the last submit and the live
 * preset warnings. A failed submit keeps every field as typed, so nothing is lost.
 */
export class EntryFormState {
  fields = $state<EntryFormFields>(blankForm());
  errors = $state<FieldMessages>({});
  readonly mode: FormMode;
  readonly entryId: string | null;
  private readonly original: EntryFormFields;
  preset = $derived(getPreset(this.fields.presetId));
  warnings = $derived(formWarnings(this.fields));
  tlsOptions = $derived(showsTlsOptions(this.fields));

  /** What the Expires field says about the preset's token lifetime. */
  get expiryHint(): string {
    return expiryHint(this.fields.presetId, this.mode);
  }

  constructor(entry?: Entry) {
    this.mode = entry === undefined ? 'add' : 'edit';
    this.entryId = entry?.id ?? null;
    this.original = entry === undefined ? blankForm() : formFromEntry(entry);
    this.fields = { ...this.original };
  }

  /** Applies a preset picked in the select (ignores a value that is not a preset id). */
  choosePreset(value: string): void {
    if (isPresetId(value)) this.fields = choosePreset(this.fields, value);
  }

  /** Saves the form into the vault; false (with `errors` set) when the input or the model refused it. */
  submit(view: VaultView): boolean {
    const result = this.entryId === null ? this.add(view) : this.edit(view, this.entryId);
    if (result === null) return false;
    if (!result.ok) {
      const { field, message } = fieldOfError(result.error);
      this.errors = { [field]: message };
      return false;
    }
    this.errors = {};
    return true;
  }

  private add(view: VaultView): Result<Entry> | null {
    const input = toNewEntryInput(this.fields);
    if (input.ok) return view.add(input.value);
    this.errors = { [input.field]: input.message };
    return null;
  }

  private edit(view: VaultView, id: string): Result<Entry> | null {
    const patch = toEntryPatch(this.fields, this.original);
    if (patch.ok) return view.edit(id, patch.value);
    this.errors = { [patch.field]: patch.message };
    return null;
  }
}
