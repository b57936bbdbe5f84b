import { SvelteSet } from 'svelte/reactivity';

/** What the last copy did, shown in a status line. */
export type CopyNotice = Readonly<{ id: string; ok: boolean; message: string }>;

/** Copies secrets through main (which clears the clipboard) and remembers which rows show their secret. */
export class SecretActions {
  readonly revealed = new SvelteSet<string>();
  notice = $state<CopyNotice | null>(null);
  private timer: ReturnType<typeof setTimeout> | undefined;

  isRevealed(id: string): boolean {
    return this.revealed.has(id);
  }

  toggleReveal(id: string): void {
    if (this.revealed.has(id)) this.revealed.delete(id);
    else this.revealed.add(id);
  }

  /** Puts a secret on the clipboard through main; the notice says when it will be cleared. */
  async copy(id: string, secret: string): Promise<void> {
    const result = await window.regvault.clipboard.copySecret({ text: secret });
    clearTimeout(this.timer);
    if (!result.ok) {
      this.notice = { id, ok: false, message: `Could not copy the password: ${result.error.message}` };
      return;
    }
    const seconds = Math.round(result.value.clearsInMs / 1000);
    this.notice = { id, ok: true, message: `Copied — clears in ${seconds} s` };
    this.timer = setTimeout(() => (this.notice = null), result.value.clearsInMs);
  }

  /** Hides every secret and forgets the notice (vault switched or closed). */
  reset(): void {
    clearTimeout(this.timer);
    this.revealed.clear();
    this.notice = null;
  }
}
