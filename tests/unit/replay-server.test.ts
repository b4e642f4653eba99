import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startRecordingProxy } from '../../scripts/demo/record-proxy.js';
import type { RecordedExchange } from '../../scripts/demo/recording.js';
import {
  type ReplayServer,
  startReplayServer,
} from '../../scripts/demo/replay-server.js';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup();
  }
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'replay-test-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** An exchange as a recording holds it, with defaults for the dull parts. */
function exchange(
  seq: number,
  url: string,
  response: Partial<RecordedExchange['response']> = {},
  method = 'GET',
): RecordedExchange {
  return {
    seq,
    request: { method, url, authenticated: true },
    response: {
      status: 200,
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      bodyEncoding: 'json',
      body: [],
      ...response,
    },
  };
}

async function replayOf(exchanges: RecordedExchange[]): Promise<ReplayServer> {
  const dir = await tempDir();
  for (const item of exchanges) {
    const name = `${String(item.seq).padStart(6, '0')}-x.json`;
    await writeFile(join(dir, name), JSON.stringify(item));
  }
  const replay = await startReplayServer({ dir });
  cleanups.push(() => replay.close());
  return replay;
}

describe('startReplayServer', () => {
  it('answers a recorded request with its status, headers and body, its own origin filled in', async () => {
    // Prepare
    const replay = await replayOf([
      exchange(1, '/wp-json/wp/v2/posts?page=1&per_page=2', {
        headers: {
          'content-type': 'application/json; charset=UTF-8',
          'x-wp-total': '3',
          link: '<{{origin}}/wp-json/wp/v2/posts?page=2&per_page=2>; rel="next"',
        },
        body: [{ id: 7, link: '{{origin}}/hello/', title: 'Café &#038; ☕' }],
      }),
    ]);

    // Act
    const response = await fetch(
      `${replay.url}/wp-json/wp/v2/posts?page=1&per_page=2`,
    );

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('x-wp-total')).toBe('3');
    expect(response.headers.get('link')).toBe(
      `<${replay.url}/wp-json/wp/v2/posts?page=2&per_page=2>; rel="next"`,
    );
    expect(await response.json()).toEqual([
      { id: 7, link: `${replay.url}/hello/`, title: 'Café &#038; ☕' },
    ]);
  });

  it('matches query parameters in any order', async () => {
    // Prepare
    const replay = await replayOf([
      exchange(1, '/wp-json/wp/v2/tags?context=edit&orderby=id&page=1', {
        body: [{ id: 1 }],
      }),
    ]);

    // Act
    const response = await fetch(
      `${replay.url}/wp-json/wp/v2/tags?page=1&orderby=id&context=edit`,
    );

    // Assess
    expect(await response.json()).toEqual([{ id: 1 }]);
  });

  it('answers rest_no_route for a route or method it has not recorded', async () => {
    // Prepare
    const replay = await replayOf([exchange(1, '/wp-json/wp/v2/posts')]);

    // Act
    const unknown = await fetch(`${replay.url}/wp-json/wp/v2/comments`);
    const otherMethod = await fetch(`${replay.url}/wp-json/wp/v2/posts`, {
      method: 'POST',
      body: '{}',
    });

    // Assess
    for (const response of [unknown, otherMethod]) {
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toMatch(
        /^application\/json/,
      );
      expect(await response.json()).toMatchObject({ code: 'rest_no_route' });
    }
  });

  it('accepts any Basic credentials, or none', async () => {
    // Prepare
    const replay = await replayOf([
      exchange(1, '/wp-json/wp/v2/users/me?context=edit', {
        body: { id: 1, slug: 'admin' },
      }),
    ]);
    const url = `${replay.url}/wp-json/wp/v2/users/me?context=edit`;
    const basic = `Basic ${Buffer.from('anyone:any password').toString('base64')}`;

    // Act
    const withCredentials = await fetch(url, {
      headers: { authorization: basic },
    });
    const without = await fetch(url);

    // Assess
    expect(withCredentials.status).toBe(200);
    expect(without.status).toBe(200);
  });

  it('gives repeated requests the answers in recorded order, then the last one', async () => {
    // Prepare
    const replay = await replayOf([
      exchange(1, '/wp-json/wp/v2/categories', { body: [{ name: 'Before' }] }),
      exchange(2, '/wp-json/wp/v2/users/me'),
      exchange(3, '/wp-json/wp/v2/categories', { body: [{ name: 'After' }] }),
    ]);
    const url = `${replay.url}/wp-json/wp/v2/categories`;

    // Act
    const names = [];
    for (let i = 0; i < 3; i++) {
      const [category] = (await (await fetch(url)).json()) as {
        name: string;
      }[];
      names.push(category?.name);
    }

    // Assess
    expect(names).toEqual(['Before', 'After', 'After']);
  });

  it('answers HEAD from the GET recording without a body', async () => {
    // Prepare
    const replay = await replayOf([
      exchange(1, '/wp-json/', {
        headers: { 'content-type': 'application/json', allow: 'GET' },
        body: { name: 'Site' },
      }),
    ]);

    // Act
    const response = await fetch(`${replay.url}/wp-json/`, { method: 'HEAD' });

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('allow')).toBe('GET');
    expect(await response.text()).toBe('');
  });

  it('serves text and binary bodies as recorded', async () => {
    // Prepare
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]);
    const replay = await replayOf([
      exchange(1, '/', {
        headers: {
          'content-type': 'text/html; charset=UTF-8',
          link: '<{{origin}}/wp-json/>; rel="https://api.w.org/"',
        },
        bodyEncoding: 'utf8',
        body: '<a href="{{origin}}/?s={{origin:encoded}}">home</a>',
      }),
      exchange(2, '/wp-content/uploads/a.png', {
        headers: { 'content-type': 'image/png' },
        bodyEncoding: 'base64',
        body: bytes.toString('base64'),
      }),
    ]);

    // Act
    const html = await (await fetch(`${replay.url}/`)).text();
    const image = await fetch(`${replay.url}/wp-content/uploads/a.png`);

    // Assess
    expect(html).toBe(
      `<a href="${replay.url}/?s=${encodeURIComponent(replay.url)}">home</a>`,
    );
    expect(Buffer.from(await image.arrayBuffer())).toEqual(bytes);
  });

  it('listens on 127.0.0.1 only', async () => {
    // Act
    const replay = await replayOf([]);

    // Assess
    expect(new URL(replay.url).hostname).toBe('127.0.0.1');
  });
});

describe('startRecordingProxy, replayed', () => {
  const password = 'abcd efgh ijkl mnop qrst uvwx';
  const basic = `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`;

  /** A stand-in WordPress that answers with its own origin in links. */
  async function fakeWordPress(): Promise<string> {
    let origin = '';
    const server: Server = createServer((request, response) => {
      const body = JSON.stringify([
        {
          id: 1,
          link: `${origin}/first/`,
          authorized: request.headers.authorization === basic,
        },
      ]).replaceAll('/', '\\/');
      response.writeHead(200, {
        'content-type': 'application/json; charset=UTF-8',
        link: `<${origin}/wp-json/wp/v2/posts?page=2>; rel="next"`,
        'set-cookie': 'session=secret',
      });
      response.end(body);
    });
    await new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', resolve),
    );
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    cleanups.push(
      () => new Promise<void>((resolve) => server.close(() => resolve())),
    );
    return origin;
  }

  it('records without credentials and replays what the client saw', async () => {
    // Prepare
    const target = await fakeWordPress();
    const dir = await tempDir();
    const proxy = await startRecordingProxy({ target, dir });
    cleanups.push(() => proxy.close());

    // Act
    const live = await fetch(`${proxy.url}/wp-json/wp/v2/posts?page=1`, {
      headers: { authorization: basic },
    });
    const liveBody = await live.json();
    const [file] = await readdir(dir);
    const saved = await readFile(join(dir, file ?? ''), 'utf8');
    const replay = await startReplayServer({ dir });
    cleanups.push(() => replay.close());
    const replayed = await fetch(`${replay.url}/wp-json/wp/v2/posts?page=1`);

    // Assess
    expect(liveBody).toEqual([
      { id: 1, link: `${proxy.url}/first/`, authorized: true },
    ]);
    expect(live.headers.get('link')).toContain(proxy.url);
    expect(saved).not.toContain(password);
    expect(saved).not.toContain(basic.slice('Basic '.length));
    expect(saved).not.toContain('session=secret');
    expect(saved).not.toContain(target);
    expect(JSON.parse(saved)).toMatchObject({
      request: { method: 'GET', url: '/wp-json/wp/v2/posts?page=1' },
      response: { status: 200, bodyEncoding: 'json' },
    });
    expect(await replayed.json()).toEqual([
      { id: 1, link: `${replay.url}/first/`, authorized: true },
    ]);
    expect(replayed.headers.get('link')).toBe(
      `<${replay.url}/wp-json/wp/v2/posts?page=2>; rel="next"`,
    );
  });

  it('refuses a target off the loopback interface', async () => {
    // Prepare
    const dir = await tempDir();

    // Act
    const started = startRecordingProxy({ target: 'http://example.com', dir });

    // Assess
    await expect(started).rejects.toThrow(/127\.0\.0\.1/);
  });
});
