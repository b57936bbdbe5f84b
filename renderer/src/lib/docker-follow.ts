import type { Entry } from '../../../shared/entries';
import { toCredential } from './docker-config-display';

/**
 * Writes an entry's new secret to Docker's config through the usual plan/apply, only when Regvault wrote this
 * registry there (a pipeline's config follows a rotation, a refresh or a restored secret); true when written.
 */
export async function followInDockerConfig(entry: Entry): Promise<boolean> {
  const read = await window.regvault.docker.read();
  if (!read.ok || !read.value.entries.some((e) => e.registry === entry.registry && e.writtenByRegvault)) return false;
  const plan = await window.regvault.docker.plan({ entries: [toCredential(entry)], remove: [] });
  if (!plan.ok) return false;
  return (await window.regvault.docker.apply({ planId: plan.value.planId })).ok;
}
