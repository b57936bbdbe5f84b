// "Your name": the display name other members of a team vault see, kept in the profile's sealed
// settings with the per-profile person id (made once, random) that groups this person's devices.
import { fail, ok, type Failure, type Result } from '../../../../shared/result';
import { MAX_PERSON_NAME } from '../../../../shared/team/people';
import type { UnlockedProfile } from '../vault-db';

/** Why the name was not saved. */
export type NameFailure = Failure<'invalid-name' | 'save-failed'>;

/** A new random person id (128 bits, base64url). */
function newPersonId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/** Stores the display name (and a person id if the profile has none yet); `onSaved` then rewrites the name cards. */
export async function saveDisplayName(
  session: UnlockedProfile,
  name: string,
  onSaved: () => void = () => undefined,
): Promise<Result<void, NameFailure>> {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_PERSON_NAME)
    return fail('invalid-name', `Give your name in 1 to ${MAX_PERSON_NAME} characters.`);
  const settings = session.settings;
  const saved = await session.updateSettings({ ...settings, name: trimmed, person: settings.person ?? newPersonId() });
  if (!saved.ok) return fail('save-failed', saved.error.message);
  onSaved();
  return ok(undefined);
}
