/**
 * The one door through which wp-sync talks to a WordPress site.
 *
 * Every request resolves the host name itself, asks a guard whether the
 * resolved address may be reached, and then connects to exactly that
 * address, so a later SSRF policy sees the address the socket really uses
 * (no second DNS answer can slip in between the check and the connect).
 * Redirects are never followed here: see `redirects.ts`.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Duplex, Readable, Transform } from 'node:stream';
import zlib from 'node:zlib';
import { WordPressError } from '../errors.js';

/** The shape of `dns.lookup` we call: one address for a host name. */
export type LookupFunction = (
  hostname: string,
  options: { family?: number; all?: false },
  callback: (
    error: NodeJS.ErrnoException | null,
    address: string,
    family: number,
  ) => void,
) => void;

/**
 * Decides whether a connection to `address` (the resolved IP) for `url` may
 * be opened. Return `false` (or throw) to refuse.
 */
export type ConnectionGuard = (
  url: URL,
  address: string,
) => boolean | Promise<boolean>;

/**
 * Screens a URL before its host name is resolved, so a refused name is
 * never even looked up. Throw a `WordPressError` to refuse.
 */
export type UrlGuard = (url: URL) => void;

/** The one place a request may connect to: the address the guard approved. */
export interface ConnectTarget {
  /** The approved IP address. */
  address: string;
  family: number;
  port: number;
  /** The URL's host name (no brackets), for TLS server names and logs. */
  hostname: string;
  /** Whether the stream must speak TLS (an https URL). */
  secure: boolean;
}

/**
 * Opens the stream a request is sent over. It must connect to
 * `target.address` and nowhere else, with TLS when `target.secure`.
 */
export type Connector = (target: ConnectTarget) => Duplex;

/** How requests are made; every field has a safe default. */
export interface OutboundOptions {
  /** Resolves host names. @default dns.lookup */
  lookup?: LookupFunction;
  /** Called with every URL before it is resolved. @default allows every URL */
  urlGuard?: UrlGuard;
  /** Called before every connection. @default allows every address */
  guard?: ConnectionGuard;
  /**
   * Opens connections; tests pass one to see where a request would go
   * without it going there. @default a TCP (and TLS) socket of Node's own
   */
  connect?: Connector;
  /** Time for each of resolving and connecting (TLS included). @default 10000 */
  connectTimeoutMs?: number;
  /** Time for the whole exchange, body included. @default 60000 */
  timeoutMs?: number;
  /** Largest body accepted, after decompression. @default 16 MiB */
  maxResponseBytes?: number;
  /** Ask for and decode gzip, deflate and brotli bodies. @default true */
  decompress?: boolean;
  /** Millisecond clock for `elapsedMs`. @default Date.now */
  now?: () => number;
}

/** One request; only what a read-only REST client needs. */
export interface OutboundRequest {
  /** @default 'GET' */
  method?: string;
  headers?: Record<string, string>;
}

/** A complete response: the body has been read in full. */
export interface OutboundResponse {
  /** The URL that answered. */
  url: string;
  status: number;
  /** Header names in lower case; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** The body decoded as UTF-8; a leading BOM is kept for the caller. */
  bodyText: string;
  /** The body as received, after content decoding. */
  body: Buffer;
  /** Length of `body`. */
  bytes: number;
  elapsedMs: number;
}

const DEFAULTS = {
  connectTimeoutMs: 10_000,
  timeoutMs: 60_000,
  maxResponseBytes: 16 * 1024 * 1024,
};

/** TLS failures the site owner must fix; trying again will not help. */
const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * Sends one request and reads the whole response.
 *
 * @throws WordPressError `WP_URL_NOT_ALLOWED` when the URL is not a valid
 *   http(s) URL, carries credentials, or a guard refuses the URL or the
 *   address;
 *   `WP_TIMEOUT` (retryable) past a timeout; `WP_RESPONSE_TOO_LARGE` past
 *   the size cap; `WP_UNREACHABLE` when the connection fails, is reset or
 *   the body is cut short (retryable unless the host does not exist or its
 *   certificate is refused).
 * @example
 * const res = await request('http://127.0.0.1:8089/wp-json/', {
 *   headers: { accept: 'application/json' },
 * });
 */
export async function request(
  url: string | URL,
  req: OutboundRequest = {},
  options: OutboundOptions = {},
): Promise<OutboundResponse> {
  const target = checkUrl(url);
  options.urlGuard?.(target);
  const now = options.now ?? Date.now;
  const started = now();
  const connectTimeoutMs =
    options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs;
  const address = await withTimeout(
    resolve(target, options.lookup ?? (dns.lookup as LookupFunction)),
    connectTimeoutMs,
    () => timeoutError(target, 'resolving the host name', connectTimeoutMs),
  );
  const allowed = await (options.guard ?? allowAll)(target, address.address);
  if (!allowed) {
    throw new WordPressError(
      'WP_URL_NOT_ALLOWED',
      `Connections to ${target.host} (${address.address}) are not allowed.`,
      { context: { url: target.href, address: address.address } },
    );
  }
  const totalMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  const remainingMs = Math.max(1, totalMs - (now() - started));
  const response = await exchange(target, address, req, options, remainingMs);
  return { ...response, elapsedMs: now() - started };
}

function allowAll(): boolean {
  return true;
}

function checkUrl(url: string | URL): URL {
  const target = parseUrl(url);
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new WordPressError(
      'WP_URL_NOT_ALLOWED',
      `Only http and https URLs can be fetched, not ${target.protocol}.`,
      { context: { url: target.href } },
    );
  }
  if (target.username !== '' || target.password !== '') {
    // Credentials in a URL end up in logs; they travel in headers only.
    throw new WordPressError(
      'WP_URL_NOT_ALLOWED',
      'A URL must not carry a user name or password.',
      { context: { url: `${target.protocol}//${target.host}` } },
    );
  }
  return target;
}

function parseUrl(url: string | URL): URL {
  try {
    return new URL(url);
  } catch (error) {
    // Callers classify WordPressErrors; the text is left out of the message
    // because a malformed URL may still hold a password.
    throw new WordPressError(
      'WP_URL_NOT_ALLOWED',
      'The URL to fetch is not a valid URL.',
      { cause: error },
    );
  }
}

interface ResolvedAddress {
  address: string;
  family: number;
}

function hostOf(target: URL): string {
  // IPv6 literals keep their brackets in URL.hostname.
  return target.hostname.replace(/^\[(.*)\]$/, '$1');
}

function resolve(
  target: URL,
  lookup: LookupFunction,
): Promise<ResolvedAddress> {
  const host = hostOf(target);
  const literal = net.isIP(host);
  if (literal !== 0) {
    return Promise.resolve({ address: host, family: literal });
  }
  return new Promise((done, fail) => {
    lookup(host, {}, (error, address, family) => {
      if (error) {
        fail(connectionError(target, error));
      } else {
        done({ address, family });
      }
    });
  });
}

function withTimeout<T>(
  work: Promise<T>,
  ms: number,
  onTimeout: () => Error,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(onTimeout()), ms);
  });
  return Promise.race([work, expiry]).finally(() => clearTimeout(timer));
}

function exchange(
  target: URL,
  address: ResolvedAddress,
  req: OutboundRequest,
  options: OutboundOptions,
  totalMs: number,
): Promise<OutboundResponseBody> {
  const secure = target.protocol === 'https:';
  const maxBytes = options.maxResponseBytes ?? DEFAULTS.maxResponseBytes;
  const decompress = options.decompress ?? true;
  const headers: Record<string, string> = { ...req.headers };
  if (decompress && !hasHeader(headers, 'accept-encoding')) {
    headers['accept-encoding'] = 'gzip, deflate, br';
  }
  const host = hostOf(target);
  const transport = secure ? https : http;
  const connect = options.connect;
  const port = target.port === '' ? undefined : Number(target.port);

  return new Promise((done, fail) => {
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = (error: Error | undefined, value?: OutboundResponseBody) => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      if (error) {
        outgoing.destroy();
        fail(error);
      } else if (value) {
        done(value);
      }
    };

    const outgoing = transport.request({
      protocol: target.protocol,
      hostname: host,
      port,
      path: `${target.pathname}${target.search}`,
      method: req.method ?? 'GET',
      headers,
      // Node uses createConnection only when no agent is given.
      agent: connect ? undefined : false,
      createConnection: connect
        ? () =>
            connect({
              address: address.address,
              family: address.family,
              port: port ?? (secure ? 443 : 80),
              hostname: host,
              secure,
            })
        : undefined,
      // Connect to the address the guard approved, never a fresh answer.
      lookup: pinnedLookup(address),
      servername: secure && net.isIP(host) === 0 ? host : undefined,
    });

    const connectMs = options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs;
    const connectTimer = setTimeout(
      () => finish(timeoutError(target, 'connecting', connectMs)),
      connectMs,
    );
    timers.push(
      connectTimer,
      setTimeout(
        () => finish(timeoutError(target, 'waiting for the response', totalMs)),
        totalMs,
      ),
    );

    outgoing.on('socket', (socket) => {
      const connected = () => clearTimeout(connectTimer);
      if (!socket.connecting) connected();
      socket.once(secure ? 'secureConnect' : 'connect', connected);
    });
    outgoing.on('error', (error) => finish(connectionError(target, error)));
    outgoing.on('response', (incoming) => {
      readBody(target, incoming, maxBytes, decompress, finish);
    });
    outgoing.end();
  });
}

type OutboundResponseBody = Omit<OutboundResponse, 'elapsedMs'>;

function readBody(
  target: URL,
  incoming: http.IncomingMessage,
  maxBytes: number,
  decompress: boolean,
  finish: (error: Error | undefined, value?: OutboundResponseBody) => void,
): void {
  const declared = Number(incoming.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    finish(tooLarge(target, maxBytes));
    return;
  }
  const decoder = decompress
    ? decoderFor(incoming.headers['content-encoding'])
    : undefined;
  const stream: Readable = decoder ? incoming.pipe(decoder) : incoming;
  const chunks: Buffer[] = [];
  let size = 0;
  const truncated = () =>
    finish(
      new WordPressError(
        'WP_UNREACHABLE',
        `The response from ${target.host} was cut off before its end.`,
        { retryable: true, context: { url: target.href } },
      ),
    );

  incoming.on('error', truncated);
  incoming.on('close', () => {
    if (!incoming.complete) truncated();
  });
  decoder?.on('error', (error) =>
    finish(
      new WordPressError(
        'WP_UNREACHABLE',
        `The compressed response from ${target.host} is corrupt or cut off.`,
        { retryable: true, cause: error, context: { url: target.href } },
      ),
    ),
  );
  stream.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBytes) {
      finish(tooLarge(target, maxBytes));
      return;
    }
    chunks.push(chunk);
  });
  stream.on('end', () => {
    if (!incoming.complete) {
      truncated();
      return;
    }
    const body = Buffer.concat(chunks);
    finish(undefined, {
      url: target.href,
      status: incoming.statusCode ?? 0,
      headers: flattenHeaders(incoming.headers),
      // ignoreBOM keeps a leading BOM so the classifier can report it.
      bodyText: new TextDecoder('utf-8', { ignoreBOM: true }).decode(body),
      body,
      bytes: body.length,
    });
  });
}

function decoderFor(encoding: string | undefined): Transform | undefined {
  switch (encoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip();
    case 'deflate':
      return zlib.createInflate();
    case 'br':
      return zlib.createBrotliDecompress();
    default:
      return undefined;
  }
}

function pinnedLookup(address: ResolvedAddress): net.LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) {
      callback(null, [{ address: address.address, family: address.family }]);
    } else {
      callback(null, address.address, address.family);
    }
  };
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

function flattenHeaders(
  headers: http.IncomingHttpHeaders,
): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function timeoutError(target: URL, phase: string, ms: number): WordPressError {
  return new WordPressError(
    'WP_TIMEOUT',
    `${target.host} did not answer within ${ms} ms (${phase}).`,
    { retryable: true, context: { url: target.href, timeoutMs: ms } },
  );
}

function tooLarge(target: URL, maxBytes: number): WordPressError {
  return new WordPressError(
    'WP_RESPONSE_TOO_LARGE',
    `The response from ${target.host} is larger than ${maxBytes} bytes; ` +
      'ask for fewer items per page or raise the size cap.',
    { context: { url: target.href, maxBytes } },
  );
}

function connectionError(target: URL, error: unknown): WordPressError {
  if (error instanceof WordPressError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? 'UNKNOWN';
  const context = { url: target.href, errorCode: code };
  if (code === 'ETIMEDOUT') {
    return new WordPressError(
      'WP_TIMEOUT',
      `Connecting to ${target.host} timed out.`,
      { retryable: true, cause: error, context },
    );
  }
  if (code === 'ENOTFOUND') {
    return new WordPressError(
      'WP_UNREACHABLE',
      `The host name ${target.hostname} does not exist; check the site URL.`,
      { cause: error, context },
    );
  }
  if (TLS_CODES.has(code)) {
    return new WordPressError(
      'WP_UNREACHABLE',
      `The TLS certificate of ${target.host} is not valid (${code}).`,
      { cause: error, context },
    );
  }
  return new WordPressError(
    'WP_UNREACHABLE',
    `The connection to ${target.host} failed (${code}).`,
    { retryable: true, cause: error, context },
  );
}
