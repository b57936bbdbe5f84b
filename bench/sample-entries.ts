// The entries every entries benchmark uses: realistic field lengths, distinct registries, pipelines
// shared between entries (so search terms match several).
import type { NewEntryInput } from '../shared/entries';

/** The `i`-th sample entry. */
export function sampleEntry(i: number): NewEntryInput {
  return {
    registry: `registry-${i}.example.com:5000`,
    name: `Pipeline credential ${i}`,
    username: `robot$ci-${i}`,
    secret: `token-${i}-${'x'.repeat(32)}`,
    notes: `Used by team ${i % 97} for nightly builds`,
    pipelines: [`build-${i % 311}`, `deploy-${i % 53}`],
  };
}
