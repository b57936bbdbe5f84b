/** The renderer's Content-Security-Policy: our own scripts only (WebAssembly for Argon2id), no remote content. */
export const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self' ws: wss:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** The custom scheme the packaged renderer is served from. */
export const appScheme = 'app';
/** The origin of the renderer; IPC from anything else is refused. */
export const appOrigin = `${appScheme}://regvault`;

/** `scheme://host[:port]` of a URL, or null. (URL.origin is "null" for custom schemes such as app://.) */
export function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return null;
  }
}

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** The MIME type for a file we serve, by extension. */
export function contentTypeFor(path: string): string {
  const dot = path.lastIndexOf('.');
  return contentTypes[dot >= 0 ? path.slice(dot).toLowerCase() : ''] ?? 'application/octet-stream';
}

/** Maps a request path to a file under the renderer root, or null when it tries to leave the root. */
export function resolveRendererPath(
  root: string,
  urlPath: string,
  join: (...parts: string[]) => string,
): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  const parts = decoded.split('/').filter((part) => part.length > 0);
  if (parts.some((part) => part === '..' || part.includes('\\') || part.includes('\0'))) return null;
  return join(root, ...(parts.length === 0 ? ['index.html'] : parts));
}
