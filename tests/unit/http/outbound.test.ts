import net from 'node:net';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { WordPressError } from '../../../shared/errors.js';
import { type LookupFunction, request } from '../../../shared/http/outbound.js';
import {
  type Handler,
  type ReplayServer,
  startReplayServer,
} from './support/replay-server.js';

const servers: ReplayServer[] = [];

async function serve(handler: Handler): Promise<ReplayServer> {
  const server = await startReplayServer(handler);
  servers.push(server);
  return server;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** Resolves every name to 127.0.0.1, recording what was asked. */
function loopbackLookup(asked: string[] = []): LookupFunction {
  return (hostname, _options, callback) => {
    asked.push(hostname);
    callback(null, '127.0.0.1', 4);
  };
}

async function failure(work: Promise<unknown>): Promise<WordPressError> {
  const error = await work.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(WordPressError);
  return error as WordPressError;
}

describe('request', () => {
  it('returns status, lower-case headers and the body decoded as UTF-8', async () => {
    // Prepare: a multi-byte body sent in two writes that split a character.
    const text = 'Café “quoted” ✓';
    const bytes = Buffer.from(text, 'utf8');
    const head =
      'HTTP/1.1 200 OK\r\nX-WP-Total: 3\r\n' +
      `Content-Length: ${bytes.length}\r\nConnection: close\r\n\r\n`;
    const server = await serve(() => ({
      raw: Buffer.concat([Buffer.from(head), bytes]),
    }));

    // Act
    const response = await request(`${server.origin}/wp-json/`);

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers['x-wp-total']).toBe('3');
    expect(response.bodyText).toBe(text);
    expect(response.bytes).toBe(bytes.length);
    expect(response.body.equals(bytes)).toBe(true);
    expect(response.elapsedMs).toBeGreaterThanOrEqual(0);
  });

  it('keeps a leading BOM in bodyText for the classifier', async () => {
    // Prepare
    const server = await serve(() => ({ status: 200, body: '\uFEFF[]' }));

    // Act
    const response = await request(server.origin);

    // Assess
    expect(response.bodyText.charCodeAt(0)).toBe(0xfeff);
    expect(response.bytes).toBe(5);
  });

  it('sends the given headers and the host name, not the address', async () => {
    // Prepare
    const server = await serve(() => ({ status: 204 }));
    const asked: string[] = [];

    // Act
    await request(
      `http://wp.test:${server.port}/x?a=1`,
      { headers: { accept: 'application/json' } },
      { lookup: loopbackLookup(asked) },
    );

    // Assess
    expect(asked).toEqual(['wp.test']);
    expect(server.requests[0]?.target).toBe('/x?a=1');
    expect(server.requests[0]?.headers.host).toBe(`wp.test:${server.port}`);
    expect(server.requests[0]?.headers.accept).toBe('application/json');
  });

  it('asks the guard with the resolved address before connecting', async () => {
    // Prepare
    const server = await serve(() => ({ status: 200, body: 'ok' }));
    const seen: [string, string][] = [];

    // Act
    await request(`http://wp.test:${server.port}/`, undefined, {
      lookup: loopbackLookup(),
      guard: (url, address) => {
        seen.push([url.hostname, address]);
        return true;
      },
    });

    // Assess
    expect(seen).toEqual([['wp.test', '127.0.0.1']]);
  });

  it('refuses a connection the guard rejects without sending anything', async () => {
    // Prepare
    const server = await serve(() => ({ status: 200 }));

    // Act
    const error = await failure(
      request(server.origin, undefined, { guard: () => false }),
    );

    // Assess
    expect(error.code).toBe('WP_URL_NOT_ALLOWED');
    expect(error.retryable).toBe(false);
    expect(server.requests).toHaveLength(0);
  });

  it('connects to the address the guard approved even if DNS changes', async () => {
    // Prepare: the second answer of this resolver would point elsewhere.
    const server = await serve(() => ({ status: 200, body: 'ok' }));
    let answers = 0;
    const rebinding: LookupFunction = (_host, _options, callback) => {
      answers += 1;
      callback(null, answers === 1 ? '127.0.0.1' : '127.0.0.2', 4);
    };

    // Act
    const response = await request(
      `http://wp.test:${server.port}/`,
      {},
      {
        lookup: rebinding,
      },
    );

    // Assess
    expect(response.bodyText).toBe('ok');
    expect(answers).toBe(1);
  });

  it('returns a redirect instead of following it', async () => {
    // Prepare
    const server = await serve(() => ({
      status: 302,
      headers: { Location: '/elsewhere' },
    }));

    // Act
    const response = await request(server.origin);

    // Assess
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('/elsewhere');
    expect(server.requests).toHaveLength(1);
  });

  it('throws WP_TIMEOUT when the server never answers', async () => {
    // Prepare
    const server = await serve(() => ({ hang: true }));

    // Act
    const error = await failure(request(server.origin, {}, { timeoutMs: 100 }));

    // Assess
    expect(error.code).toBe('WP_TIMEOUT');
    expect(error.retryable).toBe(true);
  });

  it('throws WP_TIMEOUT when resolving the host name hangs', async () => {
    // Prepare
    const silent: LookupFunction = () => undefined;

    // Act
    const error = await failure(
      request('http://wp.test/', {}, { lookup: silent, connectTimeoutMs: 50 }),
    );

    // Assess
    expect(error.code).toBe('WP_TIMEOUT');
    expect(error.retryable).toBe(true);
  });

  it('throws WP_RESPONSE_TOO_LARGE when Content-Length exceeds the cap', async () => {
    // Prepare
    const server = await serve(() => ({ status: 200, body: 'x'.repeat(64) }));

    // Act
    const error = await failure(
      request(server.origin, {}, { maxResponseBytes: 63 }),
    );

    // Assess
    expect(error.code).toBe('WP_RESPONSE_TOO_LARGE');
    expect(error.retryable).toBe(false);
  });

  it('throws WP_RESPONSE_TOO_LARGE for a chunked body past the cap', async () => {
    // Prepare: no Content-Length, so only counting the bytes can tell.
    const chunk = 'a'.repeat(40);
    const chunked =
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' +
      `28\r\n${chunk}\r\n28\r\n${chunk}\r\n0\r\n\r\n`;
    const server = await serve(() => ({ raw: chunked }));

    // Act
    const error = await failure(
      request(server.origin, {}, { maxResponseBytes: 79 }),
    );

    // Assess
    expect(error.code).toBe('WP_RESPONSE_TOO_LARGE');
  });

  it('applies the cap to the decompressed size', async () => {
    // Prepare: 1 MB of zeros compresses to about 1 KB.
    const bomb = zlib.gzipSync(Buffer.alloc(1024 * 1024));
    const server = await serve(() => ({
      status: 200,
      headers: { 'Content-Encoding': 'gzip' },
      body: bomb,
    }));

    // Act
    const error = await failure(
      request(server.origin, {}, { maxResponseBytes: 64 * 1024 }),
    );

    // Assess
    expect(bomb.length).toBeLessThan(64 * 1024);
    expect(error.code).toBe('WP_RESPONSE_TOO_LARGE');
  });

  it('decodes gzip and brotli bodies', async () => {
    // Prepare
    const text = '[{"id":1}]';
    const gzip = await serve(() => ({
      status: 200,
      headers: { 'Content-Encoding': 'gzip' },
      body: zlib.gzipSync(text),
    }));
    const brotli = await serve(() => ({
      status: 200,
      headers: { 'Content-Encoding': 'br' },
      body: zlib.brotliCompressSync(text),
    }));

    // Act
    const fromGzip = await request(gzip.origin);
    const fromBrotli = await request(brotli.origin);

    // Assess
    expect(fromGzip.bodyText).toBe(text);
    expect(fromBrotli.bodyText).toBe(text);
    expect(gzip.requests[0]?.headers['accept-encoding']).toContain('gzip');
  });

  it('throws a retryable WP_UNREACHABLE for a body cut short', async () => {
    // Prepare: 100 bytes declared, 10 sent, then the connection dies.
    const server = await serve(() => ({
      status: 200,
      body: '[{"id":1},',
      contentLength: 100,
    }));

    // Act
    const error = await failure(request(server.origin));

    // Assess
    expect(error.code).toBe('WP_UNREACHABLE');
    expect(error.retryable).toBe(true);
  });

  it('throws a retryable WP_UNREACHABLE for a corrupt gzip body', async () => {
    // Prepare: a gzip stream with its second half missing.
    const whole = zlib.gzipSync('x'.repeat(5000));
    const server = await serve(() => ({
      status: 200,
      headers: { 'Content-Encoding': 'gzip' },
      body: whole.subarray(0, whole.length >> 1),
    }));

    // Act
    const error = await failure(request(server.origin));

    // Assess
    expect(error.code).toBe('WP_UNREACHABLE');
    expect(error.retryable).toBe(true);
  });

  it('throws a retryable WP_UNREACHABLE when the connection is reset', async () => {
    // Prepare
    const server = await serve(() => ({ reset: true }));

    // Act
    const error = await failure(request(server.origin));

    // Assess
    expect(error.code).toBe('WP_UNREACHABLE');
    expect(error.retryable).toBe(true);
  });

  it('throws a retryable WP_UNREACHABLE when nothing listens', async () => {
    // Prepare: a port that was free a moment ago.
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as net.AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    // Act
    const error = await failure(request(`http://127.0.0.1:${port}/`));

    // Assess
    expect(error.code).toBe('WP_UNREACHABLE');
    expect(error.retryable).toBe(true);
    expect(error.context.errorCode).toBe('ECONNREFUSED');
  });

  it('refuses URLs that are not http(s) or that carry credentials', async () => {
    // Act
    const ftp = await failure(request('ftp://127.0.0.1/'));
    const withUser = await failure(request('http://admin:secret@127.0.0.1/'));

    // Assess
    expect(ftp.code).toBe('WP_URL_NOT_ALLOWED');
    expect(withUser.code).toBe('WP_URL_NOT_ALLOWED');
    expect(withUser.message).not.toContain('secret');
  });
});
