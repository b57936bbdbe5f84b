/**
 * The Docker config screen's state: what config.json holds (from main, never a secret), which
 * vault entries to write and which registries to remove, the reviewed plan and what applying
 * did; plus the import and Kubernetes-secret dialogs. The renderer never touches a file: every
 * step is a `docker:*` channel. Components call these methods and compute nothing themselves.
 */
import { SvelteSet } from 'svelte/reactivity';
import type { Entry, NewEntryInput } from '../../../shared/entries';
import type { Result } from '../../../shared/result';
import type { DockerComparison } from './docker-compare.svelte';
import type { DockerState } from './docker-digests';
import {
  importRows,
  registriesOf,
  toCredential,
  type ApplyReport,
  type DockerView,
  type ImportFound,
  type PlanSummary,
} from './docker-config-display';
import { noteEntryUse } from './insights/entry-use-events';

function messageOf(result: Result<unknown>): string | null {
  return result.ok ? null : result.error.message;
}

/** The screen's state for one open vault. */
/** The chosen entries whose registry the apply wrote to Docker's config count as used on this device. */
function noteWritten(chosen: readonly Entry[], report: ApplyReport): void {
  const written = new Set(report.written.map((item) => item.registry));
  for (const entry of chosen) if (written.has(entry.registry)) noteEntryUse(entry.id, 'docker-config');
}

export class DockerConfigState {
  private readonly entries: () => readonly Entry[];
  private readonly comparison: () => DockerComparison;
  view = $state.raw<DockerView | null>(null);
  readError = $state<string | null>(null);
  readonly selected = new SvelteSet<string>();
  readonly toRemove = new SvelteSet<string>();
  plan = $state.raw<PlanSummary | null>(null);
  planError = $state<string | null>(null);
  report = $state.raw<ApplyReport | null>(null);
  applyError = $state<string | null>(null);
  busy = $state<'reading' | 'reviewing' | 'applying' | null>(null);
  /** What the plan under review does: write credentials, or route the chosen registries to Regvault or back. */
  private planned: 'write' | 'use-regvault' | 'stop-regvault' = 'write';

  /** `onRouted` runs after a routing plan is applied (the screen turns "Serve to Docker" on or off). */
  constructor(
    entries: () => readonly Entry[],
    comparison: () => DockerComparison,
    private readonly onRouted: (entries: readonly Entry[], toRegvault: boolean) => Promise<void> = async () => {},
  ) {
    this.entries = entries;
    this.comparison = comparison;
  }

  /** How an entry stands in config.json (absent until the comparison has answered). */
  stateOf(id: string): DockerState {
    return this.comparison().states.get(id) ?? 'absent';
  }
  /** Registries Regvault wrote: the only ones it offers to remove. */
  removable = $derived(this.view?.entries.filter((e) => e.writtenByRegvault) ?? []);
  /** The vault entries ticked for writing (and for a Kubernetes secret). */
  chosen = $derived.by(() => this.entries().filter((e) => this.selected.has(e.id)));
  /** Registries chosen for writing cannot be removed in the same plan. */
  writing = $derived(registriesOf(this.chosen));
  allSelected = $derived.by(() => {
    const entries = this.entries();
    return entries.length > 0 && entries.every((e) => this.selected.has(e.id));
  });

  /** Reads config.json and compares the entries with it; `refresh` (Reload) asks the credential helpers again. */
  async read(refresh = false): Promise<void> {
    this.busy = 'reading';
    const result = await window.regvault.docker.read();
    this.busy = null;
    this.view = result.ok ? result.value : null;
    this.readError = messageOf(result);
    await this.comparison().compare(refresh);
  }

  toggle(id: string): void {
    if (this.selected.has(id)) this.selected.delete(id);
    else this.selected.add(id);
    this.invalidate();
  }

  toggleAll(): void {
    const all = !this.allSelected;
    this.selected.clear();
    if (all) for (const entry of this.entries()) this.selected.add(entry.id);
    this.invalidate();
  }

  toggleRemove(registry: string): void {
    if (this.toRemove.has(registry)) this.toRemove.delete(registry);
    else this.toRemove.add(registry);
    this.invalidate();
  }

  async review(): Promise<void> {
    this.invalidate();
    this.busy = 'reviewing';
    const remove = [...this.toRemove].filter((registry) => !this.writing.has(registry));
    const result = await window.regvault.docker.plan({ entries: this.chosen.map(toCredential), remove });
    this.busy = null;
    this.planned = 'write';
    this.plan = result.ok ? result.value : null;
    this.planError = messageOf(result);
  }

  /**
   * Reviews routing the chosen registries to docker-credential-regvault (`credHelpers`, their base64
   * `auths` removed), or back: the mapping removed and the chosen credentials written where Docker keeps them.
   */
  async reviewRouting(toRegvault: boolean): Promise<void> {
    this.invalidate();
    this.busy = 'reviewing';
    const registries = [...this.writing];
    const input = toRegvault
      ? { entries: [], remove: [], useHelper: registries }
      : { entries: this.chosen.map(toCredential), remove: [], stopHelper: registries };
    const result = await window.regvault.docker.plan(input);
    this.busy = null;
    this.planned = toRegvault ? 'use-regvault' : 'stop-regvault';
    this.plan = result.ok ? result.value : null;
    this.planError = messageOf(result);
  }

  async apply(): Promise<void> {
    const plan = this.plan;
    if (plan === null) return;
    this.busy = 'applying';
    const result = await window.regvault.docker.apply({ planId: plan.planId });
    this.busy = null;
    this.plan = null;
    this.report = result.ok ? result.value : null;
    this.applyError = messageOf(result);
    if (result.ok) this.toRemove.clear();
    if (result.ok) noteWritten(this.chosen, result.value);
    if (result.ok && this.planned !== 'write') await this.onRouted(this.chosen, this.planned === 'use-regvault');
    await this.read();
  }

  /** A changed choice makes the reviewed plan stale: the user reviews again before applying. */
  private invalidate(): void {
    this.plan = null;
    this.planError = null;
    this.report = null;
    this.applyError = null;
  }
}

/** The import dialog: what config.json offers, what the vault already has, then adding the new ones. */
export class ImportState {
  private readonly entries: () => readonly Entry[];
  found = $state.raw<ImportFound | null>(null);
  error = $state<string | null>(null);
  failures = $state.raw<readonly string[]>([]);

  constructor(entries: () => readonly Entry[]) {
    this.entries = entries;
  }

  rows = $derived.by(() => importRows(this.found, this.entries()));
  fresh = $derived(this.rows.filter((row) => !row.duplicate));

  async load(): Promise<void> {
    const result = await window.regvault.docker.import();
    this.found = result.ok ? result.value : null;
    this.error = messageOf(result);
  }

  /** Adds the logins the vault does not have yet; returns how many were added. */
  importInto(add: (input: NewEntryInput) => Result<Entry>): number {
    const failures: string[] = [];
    let added = 0;
    for (const { credential, label } of this.fresh) {
      const result = add(credential);
      if (result.ok) added += 1;
      else failures.push(`${label}: ${result.error.message}`);
    }
    this.failures = failures;
    return added;
  }
}

/** The Kubernetes secret dialog: the YAML for the chosen entries, then copy or download. */
export class KubeSecretState {
  private readonly entries: () => readonly Entry[];
  name = $state('regcred');
  namespace = $state('');
  yaml = $state<string | null>(null);
  error = $state<string | null>(null);
  notice = $state<string | null>(null);

  constructor(entries: () => readonly Entry[]) {
    this.entries = entries;
  }

  async preview(): Promise<void> {
    this.notice = null;
    const namespace = this.namespace.trim();
    const result = await window.regvault.docker.kubeSecret({
      entries: this.entries().map(toCredential),
      name: this.name.trim(),
      ...(namespace !== '' ? { namespace } : {}),
    });
    this.yaml = result.ok ? result.value.yaml : null;
    this.error = messageOf(result);
  }

  /** The fields changed: the preview no longer matches them. */
  edited(): void {
    this.yaml = null;
    this.notice = null;
  }

  /** Through main, which clears the clipboard after 30 s: the YAML holds the secrets. */
  async copy(): Promise<void> {
    if (this.yaml === null) return;
    const result = await window.regvault.clipboard.copySecret({ text: this.yaml });
    this.notice = result.ok
      ? `Copied — the clipboard clears in ${Math.round(result.value.clearsInMs / 1000)} s`
      : `Could not copy: ${result.error.message}`;
  }

  /** Saves through the browser's download (works in Electron and Chromium): no file access in the renderer. */
  download(): void {
    if (this.yaml === null) return;
    const url = URL.createObjectURL(new Blob([this.yaml], { type: 'application/yaml' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `${this.name.trim() || 'secret'}.yaml`;
    link.click();
    // The download has started by then; the URL (which reads the secrets) must not outlive it.
    setTimeout(() => URL.revokeObjectURL(url), 1000);
    this.notice = `Downloaded ${link.download}. It holds the secrets in base64: keep it out of version control.`;
  }
}
