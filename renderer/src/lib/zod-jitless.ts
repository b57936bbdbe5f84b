// Imported first by every browser entry point: the renderer's CSP forbids eval, so zod must not probe
// for it (the probe's `new Function` is reported as a CSP violation even though zod catches it).
import { config } from 'zod';

config({ jitless: true });
