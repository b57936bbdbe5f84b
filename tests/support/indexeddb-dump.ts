// Reading what IndexedDB really holds (with the raw API, not through Dexie), and finding plaintexts in it: as text,
// or as UTF-8 / UTF-16LE bytes inside any byte array. Used by the store's plaintext test and the reuse test.

/** Every record of every object store of a database. */
export async function dumpDatabase(name: string): Promise<Record<string, unknown[]>> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(name);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const dump: Record<string, unknown[]> = {};
  for (const store of Array.from(db.objectStoreNames)) {
    dump[store] = await new Promise<unknown[]>((resolve, reject) => {
      const request = db.transaction(store, 'readonly').objectStore(store).getAll();
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  db.close();
  return dump;
}

/** Every string and byte array inside a value, keys included. */
function collect(value: unknown, strings: string[], bytes: Uint8Array[]): void {
  if (typeof value === 'string') strings.push(value);
  else if (value instanceof Uint8Array) bytes.push(value);
  else if (ArrayBuffer.isView(value)) bytes.push(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  else if (value instanceof ArrayBuffer) bytes.push(new Uint8Array(value));
  else if (Array.isArray(value)) for (const item of value) collect(item, strings, bytes);
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      strings.push(key);
      collect(item, strings, bytes);
    }
  }
}

function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** The plaintexts found anywhere in `value`: as text, or as UTF-8 / UTF-16LE bytes inside any byte array. */
export function findLeaks(value: unknown, secrets: readonly string[]): string[] {
  const strings: string[] = [];
  const bytes: Uint8Array[] = [];
  collect(value, strings, bytes);
  return secrets.filter((secret) => {
    const utf8 = new TextEncoder().encode(secret);
    const utf16 = new Uint8Array(Uint16Array.from(secret, (c) => c.charCodeAt(0)).buffer);
    return (
      strings.some((s) => s.includes(secret)) || bytes.some((b) => containsBytes(b, utf8) || containsBytes(b, utf16))
    );
  });
}
