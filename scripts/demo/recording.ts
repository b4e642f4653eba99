/**
 * The recording format shared by the recording proxy and the replay server:
 * one JSON file per HTTP exchange, named `NNNNNN-METHOD-path.json`, holding
 * what WordPress answered with its origin replaced by a placeholder and
 * nothing of the request's credentials.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Stands for the recorded site's origin, e.g. `http://127.0.0.1:8090`. */
export const ORIGIN_PLACEHOLDER = '{{origin}}';

/** Stands for the origin percent-encoded, as in `?url=http%3A%2F%2F...`. */
export const ENCODED_ORIGIN_PLACEHOLDER = '{{origin:encoded}}';

/** How a recorded body is kept: parsed JSON, UTF-8 text or base64 bytes. */
export type BodyEncoding = 'json' | 'utf8' | 'base64';

/** One recorded request and its answer. */
export interface RecordedExchange {
  /** Order of the exchange within the recording, from 1. */
  readonly seq: number;
  readonly request: {
    readonly method: string;
    /** Path and query exactly as the client sent them. */
    readonly url: string;
    /** Whether the client sent credentials; never what they were. */
    readonly authenticated: boolean;
  };
  readonly response: {
    readonly status: number;
    readonly headers: Readonly<Record<string, string>>;
    readonly bodyEncoding: BodyEncoding;
    readonly body: unknown;
  };
}

/**
 * Headers never written to a recording: hop-by-hop ones, those the replay
 * computes itself, and any that can carry a credential or a session.
 */
export const UNRECORDED_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'proxy-authenticate',
  'cookie',
  'set-cookie',
  'x-wp-nonce',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'content-length',
  'content-encoding',
]);

/**
 * The key an exchange is looked up by: method, path, and the query with its
 * parameters sorted, so `?a=1&b=2` and `?b=2&a=1` are the same request.
 */
export function exchangeKey(method: string, url: string): string {
  const parsed = new URL(url, 'http://replay.invalid');
  const params = [...parsed.searchParams.entries()].sort(([a, x], [b, y]) =>
    a === b ? compare(x, y) : compare(a, b),
  );
  const query = new URLSearchParams(params).toString();
  return `${method.toUpperCase()} ${parsed.pathname}${query ? `?${query}` : ''}`;
}

function compare(a: string, b: string): number {
  if (a === b) {
    return 0;
  }
  return a < b ? -1 : 1;
}

/**
 * Replaces every form of `from` in text with the same form of `to`: plain,
 * with JSON-escaped slashes (WordPress writes `http:\/\/...`) and
 * percent-encoded. With a placeholder as `to`, the first two both become
 * the placeholder: it has no slash to escape.
 */
export function replaceOrigin(text: string, from: string, to: string): string {
  const toIsPlaceholder = to === ORIGIN_PLACEHOLDER;
  const escaped = (origin: string) => origin.replaceAll('/', '\\/');
  const encoded = toIsPlaceholder
    ? ENCODED_ORIGIN_PLACEHOLDER
    : encodeURIComponent(to);
  return text
    .replaceAll(escaped(from), toIsPlaceholder ? to : escaped(to))
    .replaceAll(from, to)
    .replaceAll(encodeURIComponent(from), encoded);
}

/** Puts an origin back where a recording has its placeholders. */
export function fillOrigin(text: string, origin: string): string {
  return text
    .replaceAll(ORIGIN_PLACEHOLDER, origin)
    .replaceAll(ENCODED_ORIGIN_PLACEHOLDER, encodeURIComponent(origin));
}

/** Whether a content type is text the origin can be replaced in. */
export function isTextual(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return (
    type.startsWith('text/') ||
    type.endsWith('+json') ||
    type.endsWith('+xml') ||
    ['application/json', 'application/javascript', 'application/xml'].includes(
      type,
    )
  );
}

/** The file name of an exchange: its order, method and a slug of its path. */
export function exchangeFileName(seq: number, method: string, url: string) {
  const path = url.split('?')[0] ?? '';
  const slug = path
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80);
  return `${String(seq).padStart(6, '0')}-${method.toUpperCase()}-${slug || 'root'}.json`;
}

/** Reads every exchange of a recording directory, in recorded order. */
export async function readRecording(dir: string): Promise<RecordedExchange[]> {
  // Only exchange files: notes or reports may sit beside them.
  const names = (await readdir(dir)).filter((name) =>
    /^\d+-.*\.json$/.test(name),
  );
  const exchanges = await Promise.all(
    names.map(
      async (name) =>
        JSON.parse(await readFile(join(dir, name), 'utf8')) as RecordedExchange,
    ),
  );
  return exchanges.sort((a, b) => a.seq - b.seq);
}
