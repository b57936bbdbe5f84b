import type { Entry } from '../../../shared/entries';
import { readTokenExpiry } from '../../../shared/registry/token-expiry';
import type { SaveResult } from './vault-view.svelte';
import { getPreset, isPresetId, registryPresets, type RegistryPreset } from '../../../shared/registry';
import {
  blankForm,
  choosePreset,
  describeExpirySource,
  expiryHint,
  fillTokenExpiry,
  followTypedUrl,
  formFromEntry,
  formWarnings,
  messagesOf,
  showsTlsOptions,
  toEntryPatch,
  toNewEntryInput,
  type EntryFormFields,
  type FieldMessages,
  type FormMode,
} from './entry-form';
import { LoginChecks } from './login-check.svelte';
import type { AccessSubject } from './access/access-test.svelte';
import {
  checkSignature,
  describeFormCheck,
  isCheckOf,
  toFormCheckTarget,
  toLastCheck,
  type FormCheckView,
  type LoginCheckResult,
} from './login-check-display';
import type { VaultView } from './vault-view.svelte';
import { noteEntryUse } from './insights/entry-use-events';

type FormCheck = Readonly<{ signature: string; result: LoginCheckResult; at: number }>;

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
  /** The id of the entry the last successful submit saved (a new entry's id once added). */
  savedId: string | null = null;
  private readonly original: EntryFormFields;
  /** True once the user chose a preset in the select: the URL no longer changes it. */
  private presetPicked = false;
  preset = $derived(getPreset(this.fields.presetId));
  warnings = $derived(formWarnings(this.fields));
  tlsOptions = $derived(showsTlsOptions(this.fields));
  private readonly checks = new LoginChecks();
  private checked = $state.raw<FormCheck | null>(null);
  private signature = $derived(checkSignature(this.fields));
  /** The last Test login while the fields still hold what it tested; gone once one of them changes. */
  private currentCheck = $derived(this.checked?.signature === this.signature ? this.checked : null);
  /** What the form says about that check, or null. */
  checkView = $derived<FormCheckView | null>(this.currentCheck && describeFormCheck(this.currentCheck.result));

  /** What the Expires field says: where a filled-in date came from, else the preset's token lifetime. */
  get expiryHint(): string {
    return describeExpirySource(this.fields.expiresFrom) || expiryHint(this.fields.presetId, this.mode);
  }

  /** The password as typed; a token that carries its expiry (JWT, ECR) fills Expires "from the token". */
  typeSecret(value: string): void {
    const typed = { ...this.fields, secret: value };
    this.fields = value.trim() === '' ? typed : fillTokenExpiry(typed, readTokenExpiry(value));
  }

  /** Expires as typed: the user's date, no longer the token's. */
  typeExpires(value: string): void {
    this.fields = { ...this.fields, expires: value, expiresFrom: '' };
  }

  constructor(entry?: Entry) {
    this.mode = entry === undefined ? 'add' : 'edit';
    this.entryId = entry?.id ?? null;
    this.original = entry === undefined ? blankForm() : formFromEntry(entry);
    this.fields = { ...this.original };
  }

  /** Applies a preset picked in the select (ignores a value that is not a preset id); from then on it stays. */
  choosePreset(value: string): void {
    if (!isPresetId(value)) return;
    this.presetPicked = true;
    this.fields = choosePreset(this.fields, value);
  }

  /** The Registry URL as typed; until the user picks a preset, the preset follows the URL. */
  typeRegistry(value: string): void {
    this.fields = this.follow({ ...this.fields, registry: value });
  }

  /** The username as typed (it tells Quay and Harbor robot accounts apart, among others). */
  typeUsername(value: string): void {
    this.fields = this.follow({ ...this.fields, username: value });
  }

  private follow(fields: EntryFormFields): EntryFormFields {
    return this.mode === 'add' && !this.presetPicked ? followTypedUrl(fields) : fields;
  }

  /** True while Test login runs. */
  get checking(): boolean {
    return this.checks.running.has('form');
  }

  /** Tries the typed credential against the registry (editing with a blank password: the stored one). */
  async testLogin(view: VaultView): Promise<void> {
    const stored = this.entryId === null ? undefined : view.byId(this.entryId);
    const signature = this.signature;
    const target = toFormCheckTarget(this.fields, stored);
    const result = await this.checks.check('form', target);
    const at = Date.now();
    // GitHub says when a token expires only in its answers: the check is where Expires learns it.
    if (result.ok && result.expiry !== undefined && this.signature === signature) {
      this.fields = fillTokenExpiry(this.fields, result.expiry);
    }
    this.checked = { signature, result, at };
    // Nothing changed yet that the check depends on: it is a check of the stored entry, kept even on Cancel.
    const current = this.entryId === null ? undefined : view.byId(this.entryId);
    if (current !== undefined && isCheckOf(target, current)) {
      view.saveCheck(current.id, toLastCheck(result, at));
      if (result.ok) noteEntryUse(current.id, 'login-check');
    }
  }

  /** The credential and access fields as typed, for Test access (editing with a blank password: the stored one). */
  accessSubject(view: VaultView): AccessSubject {
    const stored = this.entryId === null ? undefined : view.byId(this.entryId);
    const target = toFormCheckTarget(this.fields, stored);
    const repositories = this.fields.repositories
      .split(/[,\n]/)
      .map((r) => r.trim())
      .filter((r) => r !== '');
    const name = this.fields.name.trim() || this.fields.registry.trim();
    return { ...target, name, repositories, pullOnly: this.fields.pullOnly };
  }

  /** Saves the form into the vault; false (with `errors` set) when the input or the model refused it. */
  submit(view: VaultView): boolean {
    const result = this.entryId === null ? this.add(view) : this.edit(view, this.entryId);
    if (result === null) return false;
    if (!result.ok) {
      this.errors = messagesOf(result.error);
      return false;
    }
    this.errors = {};
    this.savedId = result.value.id;
    // Passed, failed or unreachable: a check of exactly what was saved becomes the entry's last check.
    const check = this.currentCheck;
    if (check !== null) view.saveCheck(result.value.id, toLastCheck(check.result, check.at));
    return true;
  }

  private add(view: VaultView): SaveResult | null {
    const input = toNewEntryInput(this.fields);
    if (input.ok) return view.add(input.value);
    this.errors = messagesOf(input.error);
    return null;
  }

  private edit(view: VaultView, id: string): SaveResult | null {
    const patch = toEntryPatch(this.fields, this.original);
    if (patch.ok) return view.edit(id, patch.value);
    this.errors = messagesOf(patch.error);
    return null;
  }
}
