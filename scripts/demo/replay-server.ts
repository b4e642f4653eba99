/**
 * Serves a recording made by `record-proxy.ts` as if it were the WordPress
 * site, so the demo runs with no WordPress at all.
 */
import {
  createServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  exchangeKey,
  fillOrigin,
  ORIGIN_PLACEHOLDER,
  type RecordedExchange,
  readRecording,
  replaceOrigin,
} from './recording.js';

/** A running replay server. */
export interface ReplayServer {
  /** Its origin, e.g. `http://127.0.0.1:41234`: use it as the site URL. */
  readonly url: string;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/** Options of {@link startReplayServer}. */
export interface ReplayServerOptions {
  /** Directory of the recording's JSON files. */
  readonly dir: string;
  /**
   * Port on 127.0.0.1.
   * @default 0 (any free port)
   */
  readonly port?: number;
}

const NO_ROUTE = {
  code: 'rest_no_route',
  message: 'No route was found matching the URL and request method.',
  data: { status: 404 },
};

/**
 * Starts answering on 127.0.0.1 from a recording.
 *
 * A request matches an exchange by method, path and query (parameters in
 * any order). When a request was recorded several times, say by a first
 * sync, an edit and a second sync, the n-th identical request gets the n-th
 * answer and later ones the last. HEAD is answered from GET. Any
 * credentials, or none, are accepted: the recording is public data. A
 * request nothing matches gets WordPress's JSON 404 `rest_no_route`.
 *
 * @example
 * const replay = await startReplayServer({ dir: 'demo/recording' });
 * await fetch(`${replay.url}/wp-json/wp/v2/posts`);
 * await replay.close();
 */
export async function startReplayServer(
  options: ReplayServerOptions,
): Promise<ReplayServer> {
  const byKey = new Map<string, RecordedExchange[]>();
  for (const exchange of await readRecording(options.dir)) {
    const key = exchangeKey(exchange.request.method, exchange.request.url);
    byKey.set(key, [...(byKey.get(key) ?? []), exchange]);
  }
  const served = new Map<string, number>();
  let origin = '';

  const server = createServer((request, response) => {
    const method =
      request.method === 'HEAD' ? 'GET' : (request.method ?? 'GET');
    const url = replaceOrigin(request.url ?? '/', origin, ORIGIN_PLACEHOLDER);
    const key = exchangeKey(method, url);
    const answers = byKey.get(key);
    // The body is not part of the key; drain it so keep-alive works.
    request.resume();
    if (answers === undefined) {
      sendJson(request, response, 404, NO_ROUTE);
      return;
    }
    const index = served.get(key) ?? 0;
    served.set(key, index + 1);
    const exchange = answers[
      Math.min(index, answers.length - 1)
    ] as RecordedExchange;
    sendRecorded(request, response, exchange, origin);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: origin,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function sendRecorded(
  request: IncomingMessage,
  response: ServerResponse,
  exchange: RecordedExchange,
  origin: string,
): void {
  const { status, headers, bodyEncoding, body } = exchange.response;
  const bytes = bodyBytes(bodyEncoding, body, origin);
  for (const [name, value] of Object.entries(headers)) {
    response.setHeader(name, fillOrigin(value, origin));
  }
  response.setHeader('content-length', bytes.length);
  response.writeHead(status);
  response.end(request.method === 'HEAD' ? undefined : bytes);
}

function bodyBytes(encoding: string, body: unknown, origin: string): Buffer {
  switch (encoding) {
    case 'json':
      // A plain origin is valid inside a JSON string: it has no quote or
      // backslash, so filling in after serializing keeps the JSON intact.
      return Buffer.from(fillOrigin(JSON.stringify(body), origin));
    case 'utf8':
      return Buffer.from(fillOrigin(String(body), origin));
    default:
      return Buffer.from(String(body), 'base64');
  }
}

function sendJson(
  request: IncomingMessage,
  response: ServerResponse,
  status: number,
  body: unknown,
): void {
  const bytes = Buffer.from(JSON.stringify(body));
  response.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': bytes.length,
  });
  response.end(request.method === 'HEAD' ? undefined : bytes);
}
