/**
 * A recording proxy for the demo: point a sync at it instead of WordPress
 * and every exchange is saved, credentials left out, for
 * `replay-server.ts` to serve later.
 *
 * Usage:
 *   npx tsx scripts/demo/record-proxy.ts --target http://127.0.0.1:8090 \
 *     --out demo/recording [--port 8091]
 */
import { mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  type BodyEncoding,
  exchangeFileName,
  isTextual,
  ORIGIN_PLACEHOLDER,
  type RecordedExchange,
  replaceOrigin,
  UNRECORDED_HEADERS,
} from './recording.js';

/** Options of {@link startRecordingProxy}. */
export interface RecordingProxyOptions {
  /** Origin of the WordPress to forward to; loopback only. */
  readonly target: string;
  /** Directory the exchanges are written to; created when missing. */
  readonly dir: string;
  /**
   * Port on 127.0.0.1.
   * @default 0 (any free port)
   */
  readonly port?: number;
}

/** A running recording proxy. */
export interface RecordingProxy {
  /** Its origin: give it to the client as the site URL. */
  readonly url: string;
  /** How many exchanges it has written so far. */
  recorded(): number;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Starts a proxy on 127.0.0.1 that forwards every request to `target` and
 * writes each exchange to `dir`, numbered after any files already there
 * (so a first sync, an edit and a second sync can share one recording).
 *
 * What it writes: method, path and query, whether credentials were sent,
 * status, response headers and body. What it never writes: the request's
 * headers (Authorization among them), cookies, and any trace of the
 * credentials in the answer. The target's origin becomes `{{origin}}`; in
 * what the client receives it becomes the proxy's own origin, so links such
 * as the `Link` header's next page lead back through the proxy.
 *
 * @throws when `target` is not a loopback http origin
 */
export async function startRecordingProxy(
  options: RecordingProxyOptions,
): Promise<RecordingProxy> {
  const target = new URL(options.target);
  if (target.protocol !== 'http:' || !LOOPBACK_HOSTS.has(target.hostname)) {
    throw new Error(`target must be http on 127.0.0.1, got ${options.target}`);
  }
  await mkdir(options.dir, { recursive: true });
  let seq = await lastSeq(options.dir);
  let written = 0;
  let origin = '';

  const server = createServer((request, response) => {
    forward(target, request)
      .then(async (answer) => {
        const secrets = credentialsOf(request.headers);
        seq += 1;
        const exchange = record(seq, request, answer, {
          target: target.origin,
          proxy: origin,
          secrets,
        });
        await writeExchange(options.dir, exchange);
        written += 1;
        const headers = clientHeaders(answer, target.origin, origin);
        const body = isTextual(answer.headers['content-type'] as string)
          ? Buffer.from(
              replaceOrigin(
                answer.body.toString('utf8'),
                target.origin,
                origin,
              ),
            )
          : answer.body;
        response.writeHead(answer.status, {
          ...headers,
          'content-length': String(body.length),
        });
        response.end(body);
      })
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        response.writeHead(502, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            code: 'wp_sync_proxy_failed',
            message,
            data: { status: 502 },
          }),
        );
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    recorded: () => written,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

async function forward(target: URL, request: IncomingMessage): Promise<Answer> {
  const requestBody = await readAll(request);
  const headers: IncomingHttpHeaders = {
    ...request.headers,
    host: target.host,
  };
  // Plain bodies only: the origin has to be found in them.
  delete headers['accept-encoding'];
  delete headers.connection;
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        hostname: target.hostname,
        port: target.port,
        method: request.method,
        path: request.url,
        headers,
      },
      (incoming) => {
        readAll(incoming).then(
          (body) =>
            resolve({
              status: incoming.statusCode ?? 502,
              headers: incoming.headers,
              body,
            }),
          reject,
        );
      },
    );
    outgoing.once('error', reject);
    outgoing.end(requestBody);
  });
}

async function readAll(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * The credential strings of a request (Basic token, password, and the
 * password without the spaces WordPress shows it with), to scrub from
 * anything written, should a response ever echo one.
 */
function credentialsOf(headers: IncomingHttpHeaders): string[] {
  const match = /^Basic\s+(\S+)$/i.exec(headers.authorization ?? '');
  if (match?.[1] === undefined) {
    return [];
  }
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const password = decoded.slice(decoded.indexOf(':') + 1);
  return [match[1], password, password.replaceAll(' ', '')].filter(
    (secret) => secret.length >= 8,
  );
}

function scrub(text: string, secrets: readonly string[]): string {
  return secrets.reduce(
    (clean, secret) => clean.replaceAll(secret, '{{redacted}}'),
    text,
  );
}

function record(
  seq: number,
  request: IncomingMessage,
  answer: Answer,
  scope: { target: string; proxy: string; secrets: readonly string[] },
): RecordedExchange {
  const clean = (text: string) =>
    scrub(replaceOrigin(text, scope.target, ORIGIN_PLACEHOLDER), scope.secrets);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(answer.headers)) {
    if (value !== undefined && !UNRECORDED_HEADERS.has(name)) {
      headers[name] = clean(Array.isArray(value) ? value.join(', ') : value);
    }
  }
  return {
    seq,
    request: {
      method: request.method ?? 'GET',
      // A client may echo the proxy's origin back in a query (`?url=`).
      url: replaceOrigin(
        clean(request.url ?? '/'),
        scope.proxy,
        ORIGIN_PLACEHOLDER,
      ),
      authenticated: request.headers.authorization !== undefined,
    },
    response: {
      status: answer.status,
      headers,
      ...recordedBody(answer, clean),
    },
  };
}

function recordedBody(
  answer: Answer,
  clean: (text: string) => string,
): { bodyEncoding: BodyEncoding; body: unknown } {
  const type = answer.headers['content-type'];
  if (!isTextual(type)) {
    return { bodyEncoding: 'base64', body: answer.body.toString('base64') };
  }
  const text = clean(answer.body.toString('utf8'));
  if (/json/i.test(type ?? '')) {
    try {
      return { bodyEncoding: 'json', body: JSON.parse(text) };
    } catch {
      // WordPress sometimes prints a PHP notice before the JSON: keep it as is.
    }
  }
  return { bodyEncoding: 'utf8', body: text };
}

function clientHeaders(
  answer: Answer,
  targetOrigin: string,
  proxyOrigin: string,
): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(answer.headers)) {
    if (
      value === undefined ||
      [
        'connection',
        'keep-alive',
        'transfer-encoding',
        'content-length',
      ].includes(name)
    ) {
      continue;
    }
    headers[name] = Array.isArray(value)
      ? value.map((item) => replaceOrigin(item, targetOrigin, proxyOrigin))
      : replaceOrigin(value, targetOrigin, proxyOrigin);
  }
  return headers;
}

async function lastSeq(dir: string): Promise<number> {
  const numbers = (await readdir(dir))
    .map((name) => /^(\d+)-/.exec(name)?.[1])
    .filter((value): value is string => value !== undefined)
    .map(Number);
  return numbers.length === 0 ? 0 : Math.max(...numbers);
}

async function writeExchange(
  dir: string,
  exchange: RecordedExchange,
): Promise<void> {
  const name = exchangeFileName(
    exchange.seq,
    exchange.request.method,
    exchange.request.url,
  );
  const temporary = join(dir, `.${name}.tmp`);
  await writeFile(temporary, `${JSON.stringify(exchange, null, 2)}\n`, {
    mode: 0o644,
  });
  await rename(temporary, join(dir, name));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      target: { type: 'string' },
      out: { type: 'string' },
      port: { type: 'string', default: '8091' },
    },
  });
  if (values.target === undefined || values.out === undefined) {
    process.stderr.write(
      'usage: record-proxy.ts --target http://127.0.0.1:PORT --out DIR [--port 8091]\n',
    );
    process.exitCode = 2;
    return;
  }
  const proxy = await startRecordingProxy({
    target: values.target,
    dir: values.out,
    port: Number(values.port),
  });
  process.stderr.write(
    `recording ${values.target} through ${proxy.url} into ${values.out}; Ctrl-C to stop\n`,
  );
  const stop = () => {
    proxy.close().then(() => {
      process.stderr.write(`recorded ${proxy.recorded()} exchanges\n`);
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await main();
}
