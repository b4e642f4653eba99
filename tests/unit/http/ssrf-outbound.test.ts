import net from 'node:net';
import { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { WordPressError } from '../../../shared/errors.js';
import {
  type ConnectionGuard,
  type Connector,
  type ConnectTarget,
  type LookupFunction,
  request,
} from '../../../shared/http/outbound.js';
import { requestFollowingRedirects } from '../../../shared/http/redirects.js';
import { guardedHttpOptions } from '../../../shared/http/ssrf-guard.js';
import {
  type Handler,
  type ReplayServer,
  startReplayServer,
} from './support/replay-server.js';

const STRICT = { allowLocalOrigins: false };
const LOCAL = { allowLocalOrigins: true };

const servers: ReplayServer[] = [];

async function serve(handler: Handler): Promise<ReplayServer> {
  const server = await startReplayServer(handler);
  servers.push(server);
  return server;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A resolver giving `answers` in turn (the last one repeats). */
function resolverAnswering(...answers: string[]): {
  lookup: LookupFunction;
  asked: string[];
} {
  const asked: string[] = [];
  const lookup: LookupFunction = (hostname, _options, callback) => {
    const address = answers[Math.min(asked.length, answers.length - 1)] ?? '';
    asked.push(hostname);
    callback(null, address, net.isIP(address));
  };
  return { lookup, asked };
}

/**
 * A connector that opens no socket at all: it records where the request
 * would have gone and answers from `reply`, given the request line.
 */
function cannedConnector(reply: (requestLine: string) => string): {
  connect: Connector;
  targets: ConnectTarget[];
} {
  const targets: ConnectTarget[] = [];
  const connect: Connector = (target) => {
    targets.push(target);
    let head = '';
    const stream = new Duplex({
      read: () => undefined,
      write(chunk: Buffer, _encoding, done) {
        head += chunk.toString('latin1');
        const end = head.indexOf('\r\n\r\n');
        if (end >= 0) {
          stream.push(reply(head.slice(0, head.indexOf('\r\n'))));
          stream.push(null);
        }
        done();
      },
    });
    return stream;
  };
  return { connect, targets };
}

/**
 * A connector that records the approved target but always dials our own
 * server on 127.0.0.1, so even a guard that failed could reach nothing else.
 */
function loopbackConnector(server: ReplayServer): {
  connect: Connector;
  targets: ConnectTarget[];
} {
  const targets: ConnectTarget[] = [];
  const connect: Connector = (target) => {
    targets.push(target);
    return net.connect(server.port, '127.0.0.1');
  };
  return { connect, targets };
}

function http(status: number, headers: Record<string, string> = {}): string {
  const lines = Object.entries(headers).map(([name, value]) => {
    return `${name}: ${value}`;
  });
  const body = status === 200 ? 'ok' : '';
  return [
    `HTTP/1.1 ${status} Status`,
    ...lines,
    `Content-Length: ${body.length}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

async function refusal(work: Promise<unknown>): Promise<WordPressError> {
  const error = await work.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(WordPressError);
  return error as WordPressError;
}

describe('request under the SSRF guard', () => {
  it.each([
    ['10.0.0.1', 'private'],
    ['169.254.169.254', 'cloud-metadata'],
    ['::ffff:7f00:1', 'loopback'],
    ['fd00:ec2::254', 'cloud-metadata'],
    ['64:ff9b::a00:1', 'private'],
  ])(
    'refuses a host resolving to %s (%s) before connecting',
    async (address, reason) => {
      // Prepare
      const { lookup, asked } = resolverAnswering(address);
      const { connect, targets } = cannedConnector(() => http(200));

      // Act
      const error = await refusal(
        request(
          'https://wp.example.com/wp-json/',
          {},
          {
            ...guardedHttpOptions(STRICT),
            lookup,
            connect,
          },
        ),
      );

      // Assess
      expect(error.code).toBe('WP_URL_NOT_ALLOWED');
      expect(error.retryable).toBe(false);
      expect(error.context.reason).toBe(reason);
      expect(error.message).toContain(`wp.example.com resolves to ${address}`);
      expect(asked).toEqual(['wp.example.com']);
      expect(targets).toEqual([]);
    },
  );

  it.each([
    'https://metadata.google.internal/computeMetadata/v1/',
    'https://localhost/',
    'https://169.254.169.254/latest/meta-data/',
    'https://2130706433/',
    'https://[::ffff:a9fe:a9fe]/',
    'http://example.com/',
  ])('refuses %s without resolving or connecting', async (url) => {
    // Prepare
    const { lookup, asked } = resolverAnswering('93.184.216.34');
    const { connect, targets } = cannedConnector(() => http(200));

    // Act
    const error = await refusal(
      request(url, {}, { ...guardedHttpOptions(STRICT), lookup, connect }),
    );

    // Assess
    expect(error.code).toBe('WP_URL_NOT_ALLOWED');
    expect(asked).toEqual([]);
    expect(targets).toEqual([]);
  });

  it('refuses a URL with an IPv6 zone id as not a valid URL', async () => {
    // Prepare: WHATWG URL has no syntax for zones, so none can be fetched.
    const { connect, targets } = cannedConnector(() => http(200));

    // Act
    const error = await refusal(
      request(
        'https://[fe80::1%25eth0]/',
        {},
        {
          ...guardedHttpOptions(STRICT),
          connect,
        },
      ),
    );

    // Assess
    expect(error.code).toBe('WP_URL_NOT_ALLOWED');
    expect(targets).toEqual([]);
  });

  it('connects a public host name to the address it resolved to', async () => {
    // Prepare
    const { lookup } = resolverAnswering('93.184.216.34');
    const { connect, targets } = cannedConnector(() => http(200));

    // Act
    const response = await request(
      'https://example.com/wp-json/',
      {},
      {
        ...guardedHttpOptions(STRICT),
        lookup,
        connect,
      },
    );

    // Assess
    expect(response.bodyText).toBe('ok');
    expect(targets).toEqual([
      {
        address: '93.184.216.34',
        family: 4,
        port: 443,
        hostname: 'example.com',
        secure: true,
      },
    ]);
  });

  it('connects a public IPv6 literal to that address', async () => {
    // Prepare
    const { connect, targets } = cannedConnector(() => http(200));

    // Act
    const response = await request(
      'https://[2606:4700::1111]:8443/',
      {},
      {
        ...guardedHttpOptions(STRICT),
        connect,
      },
    );

    // Assess
    expect(response.status).toBe(200);
    expect(targets.map(({ address, port }) => [address, port])).toEqual([
      ['2606:4700::1111', 8443],
    ]);
  });

  describe('against DNS rebinding', () => {
    it('connects to the address it checked when DNS changes after the check', async () => {
      // Prepare: any second answer of this resolver is private.
      const { lookup, asked } = resolverAnswering('93.184.216.34', '10.0.0.1');
      const { connect, targets } = cannedConnector(() => http(200));
      const guarded = guardedHttpOptions(STRICT);
      const checked: string[] = [];
      const guard: ConnectionGuard = (url, address) => {
        checked.push(address);
        return guarded.guard(url, address);
      };

      // Act
      await request(
        'https://wp.example.com/',
        {},
        {
          ...guarded,
          guard,
          lookup,
          connect,
        },
      );

      // Assess
      expect(asked).toHaveLength(1);
      expect(checked).toEqual(['93.184.216.34']);
      expect(targets.map((target) => target.address)).toEqual(checked);
    });

    it('refuses a later request once the answer turns private', async () => {
      // Prepare
      const { lookup } = resolverAnswering('93.184.216.34', '10.0.0.1');
      const { connect, targets } = cannedConnector(() => http(200));
      const options = { ...guardedHttpOptions(STRICT), lookup, connect };

      // Act
      const first = await request('https://wp.example.com/', {}, options);
      const second = await refusal(
        request('https://wp.example.com/wp-json/wp/v2/posts', {}, options),
      );

      // Assess
      expect(first.status).toBe(200);
      expect(second.context.reason).toBe('private');
      expect(targets.map((target) => target.address)).toEqual([
        '93.184.216.34',
      ]);
    });
  });

  describe('following redirects', () => {
    it('refuses a same-origin hop whose answer is now internal', async () => {
      // Prepare
      const { lookup } = resolverAnswering('93.184.216.34', '169.254.169.254');
      const { connect, targets } = cannedConnector((line) =>
        line.startsWith('GET /start ')
          ? http(301, { Location: '/latest/meta-data/' })
          : http(200),
      );

      // Act
      const error = await refusal(
        requestFollowingRedirects(
          'https://wp.example.com/start',
          {},
          {
            ...guardedHttpOptions(STRICT),
            lookup,
            connect,
          },
        ),
      );

      // Assess
      expect(error.context.reason).toBe('cloud-metadata');
      expect(error.message).toContain('resolves to 169.254.169.254');
      expect(targets).toHaveLength(1);
    });

    it('refuses an https upgrade hop whose answer is internal', async () => {
      // Prepare: local mode, so the first plain http hop is allowed.
      const { lookup } = resolverAnswering('127.0.0.1', '10.0.0.1');
      const { connect, targets } = cannedConnector(() =>
        http(301, { Location: 'https://wp.test/' }),
      );

      // Act
      const error = await refusal(
        requestFollowingRedirects(
          'http://wp.test/',
          {},
          {
            ...guardedHttpOptions(LOCAL),
            allowHttpsUpgrade: true,
            lookup,
            connect,
          },
        ),
      );

      // Assess
      expect(error.context.reason).toBe('private');
      expect(targets.map((target) => target.secure)).toEqual([false]);
    });

    it('returns a redirect to an internal origin without going there', async () => {
      // Prepare
      const { lookup, asked } = resolverAnswering('93.184.216.34');
      const internal = 'https://169.254.169.254/latest/meta-data/';
      const { connect, targets } = cannedConnector(() =>
        http(302, { Location: internal }),
      );

      // Act
      const response = await requestFollowingRedirects(
        'https://wp.example.com/',
        {},
        { ...guardedHttpOptions(STRICT), lookup, connect },
      );

      // Assess
      expect(response.status).toBe(302);
      expect(response.headers.location).toBe(internal);
      expect(asked).toEqual(['wp.example.com']);
      expect(targets).toHaveLength(1);
    });

    it('refuses a hop on a local server that rebinds to a private address', async () => {
      // Prepare
      const server = await serve((req) =>
        req.target === '/start'
          ? { status: 302, headers: { Location: '/next' } }
          : { status: 200, body: 'reached' },
      );
      const { lookup } = resolverAnswering('127.0.0.1', '10.0.0.1');
      const { connect, targets } = loopbackConnector(server);

      // Act
      const error = await refusal(
        requestFollowingRedirects(
          `http://wp.test:${server.port}/start`,
          {},
          {
            ...guardedHttpOptions(LOCAL),
            lookup,
            connect,
          },
        ),
      );

      // Assess
      expect(error.context.reason).toBe('private');
      expect(server.requests.map((seen) => seen.target)).toEqual(['/start']);
      expect(targets.map((target) => target.address)).toEqual(['127.0.0.1']);
    });
  });

  describe('in local mode', () => {
    it('reaches a server on 127.0.0.1 over plain http', async () => {
      // Prepare
      const server = await serve(() => ({ status: 200, body: 'local' }));

      // Act
      const response = await request(
        `${server.origin}/wp-json/`,
        {},
        guardedHttpOptions(LOCAL),
      );

      // Assess
      expect(response.bodyText).toBe('local');
      expect(server.requests.map((seen) => seen.target)).toEqual(['/wp-json/']);
    });

    it('reaches it through localhost resolved to 127.0.0.1', async () => {
      // Prepare
      const server = await serve(() => ({ status: 200, body: 'local' }));
      const { lookup, asked } = resolverAnswering('127.0.0.1');

      // Act
      const response = await request(
        `http://localhost:${server.port}/`,
        {},
        {
          ...guardedHttpOptions(LOCAL),
          lookup,
        },
      );

      // Assess
      expect(response.bodyText).toBe('local');
      expect(asked).toEqual(['localhost']);
    });

    it('is the only mode that reaches that server', async () => {
      // Prepare
      const server = await serve(() => ({ status: 200, body: 'local' }));

      // Act
      const error = await refusal(
        request(server.origin, {}, guardedHttpOptions(STRICT)),
      );

      // Assess
      expect(error.context.reason).toBe('loopback');
      expect(server.requests).toHaveLength(0);
    });
  });
});
