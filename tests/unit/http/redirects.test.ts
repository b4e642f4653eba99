import { afterEach, describe, expect, it } from 'vitest';
import { WordPressError } from '../../../shared/errors.js';
import type { LookupFunction } from '../../../shared/http/outbound.js';
import {
  isHttpsUpgrade,
  requestFollowingRedirects,
} from '../../../shared/http/redirects.js';
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

const loopback: LookupFunction = (_host, _options, callback) =>
  callback(null, '127.0.0.1', 4);

describe('requestFollowingRedirects', () => {
  it('follows same-origin redirects and lists the hops', async () => {
    // Prepare
    const server = await serve((req) =>
      req.target === '/final'
        ? { status: 200, body: 'done' }
        : { status: 301, headers: { Location: '/final' } },
    );

    // Act
    const response = await requestFollowingRedirects(`${server.origin}/start`);

    // Assess
    expect(response.status).toBe(200);
    expect(response.bodyText).toBe('done');
    expect(response.redirects).toEqual([`${server.origin}/final`]);
    expect(response.url).toBe(`${server.origin}/final`);
  });

  it('asks the guard again for every hop', async () => {
    // Prepare
    const server = await serve((req) =>
      req.target === '/b'
        ? { status: 200 }
        : { status: 307, headers: { Location: '/b' } },
    );
    const guarded: string[] = [];

    // Act
    await requestFollowingRedirects(
      `http://wp.test:${server.port}/a`,
      {},
      {
        lookup: loopback,
        guard: (url) => {
          guarded.push(url.pathname);
          return true;
        },
      },
    );

    // Assess
    expect(guarded).toEqual(['/a', '/b']);
  });

  it('returns a redirect to another origin without following it', async () => {
    // Prepare: two ports on 127.0.0.1 are two origins.
    const other = await serve(() => ({ status: 200 }));
    const server = await serve(() => ({
      status: 302,
      headers: { Location: `${other.origin}/steal` },
    }));

    // Act
    const response = await requestFollowingRedirects(server.origin, {
      headers: { authorization: 'Basic c2VjcmV0' },
    });

    // Assess
    expect(response.status).toBe(302);
    expect(other.requests).toHaveLength(0);
  });

  it('keeps credentials on same-origin hops', async () => {
    // Prepare
    const server = await serve((req) =>
      req.target === '/b'
        ? { status: 200 }
        : { status: 302, headers: { Location: '/b' } },
    );

    // Act
    await requestFollowingRedirects(`${server.origin}/a`, {
      headers: { Authorization: 'Basic dXNlcjpwYXNz' },
    });

    // Assess
    expect(server.requests[1]?.headers.authorization).toBe(
      'Basic dXNlcjpwYXNz',
    );
  });

  it('gives up past the redirect limit', async () => {
    // Prepare: a redirect loop.
    const server = await serve((req) => ({
      status: 302,
      headers: { Location: req.target === '/a' ? '/b' : '/a' },
    }));

    // Act
    const error = await requestFollowingRedirects(
      `${server.origin}/a`,
      {},
      {
        maxRedirects: 3,
      },
    ).catch((thrown: unknown) => thrown);

    // Assess
    expect(error).toBeInstanceOf(WordPressError);
    expect((error as WordPressError).code).toBe('WP_BAD_RESPONSE');
    expect(server.requests).toHaveLength(4);
  });

  it('continues a 303 as GET', async () => {
    // Prepare
    const server = await serve((req) =>
      req.target === '/b'
        ? { status: 200 }
        : { status: 303, headers: { Location: '/b' } },
    );

    // Act
    await requestFollowingRedirects(`${server.origin}/a`, { method: 'HEAD' });
    await requestFollowingRedirects(`${server.origin}/a`, { method: 'DELETE' });

    // Assess
    expect(server.requests.map((req) => req.method)).toEqual([
      'HEAD',
      'HEAD',
      'DELETE',
      'GET',
    ]);
  });
});

describe('isHttpsUpgrade', () => {
  it('accepts http to https on the same host with default ports', () => {
    // Act
    const upgrade = isHttpsUpgrade(
      new URL('http://example.test/'),
      new URL('https://example.test/wp-json/'),
    );

    // Assess
    expect(upgrade).toBe(true);
  });

  it('rejects another host, a downgrade and explicit ports', () => {
    // Act
    const results = [
      ['http://example.test/', 'https://www.example.test/'],
      ['https://example.test/', 'http://example.test/'],
      ['http://example.test:8080/', 'https://example.test:8443/'],
    ].map(([from = '', to = '']) => isHttpsUpgrade(new URL(from), new URL(to)));

    // Assess
    expect(results).toEqual([false, false, false]);
  });
});
