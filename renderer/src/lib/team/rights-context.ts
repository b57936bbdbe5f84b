// The open vault's rights, handed from the vault screen to the rows through Svelte's context (so the
// list components in between need no new props): a row shows Edit and Delete only where they are allowed.
import { getContext, setContext } from 'svelte';
import { rightsOf, type Rights } from '../../../../shared/team/roles';

const KEY = Symbol('vault-rights');

/** Provides the open vault's rights to the components below (call during component setup). */
export function provideRights(current: () => Rights): void {
  setContext(KEY, current);
}

/** The open vault's rights; everything where no vault screen provided them (e.g. a component test). */
export function useRights(): () => Rights {
  return getContext<(() => Rights) | undefined>(KEY) ?? (() => rightsOf('admin'));
}
