// Reading JSON text that came from outside (a pasted code, an opened box): malformed text is data, not an error.

/** The value `text` holds as JSON, or null when there is no text or it is not JSON. */
export function parseJsonOrNull(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
