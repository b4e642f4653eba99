/**
 * The fault proxy itself: each kind of fault reaches a client the way the
 * real fault would, the schedule is the seed's and the rate's, and what
 * passes is the origin's answer with only the origin's URL replaced.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WordPressError } from '../../shared/errors.js';
import { request } from '../../shared/http/outbound.js';
import {
  type FaultKind,
  type FaultProxy,
  startFaultProxy,
} from '../support/fault-proxy.js';

const BODY = { id: 1, link: '' };

let origin: Server;
let originUrl: string;

beforeAll(async () => {
  origin = createServer((request, response) => {
    const self = `http://${request.headers.host}`;
    response.writeHead(200, {
      'content-type': 'application/json; charset=UTF-8',
      link: `<${self}/wp-json/>; rel="https://api.w.org/"`,
      'x-wp-total': '1',
    });
    // WordPress escapes the slashes of URLs in JSON.
    const json = JSON.stringify({ ...BODY, link: `${self}/?p=1` });
    response.end(json.replaceAll('/', '\\/'));
  });
  await new Promise<void>((done) => origin.listen(0, '127.0.0.1', done));
  originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((done) => origin.close(done));
});

/** One GET by the product's own HTTP client, as an outcome. */
async function get(url: string): Promise<{
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  error?: string;
}> {
  try {
    const answer = await request(url, {}, { timeoutMs: 10_000 });
    return {
      status: answer.status,
      headers: answer.headers,
      body: answer.bodyText,
    };
  } catch (error) {
    if (!(error instanceof WordPressError)) throw error;
    return { error: `${error.code}: ${error.message}` };
  }
}

async function proxyWith(
  kind: FaultKind | undefined,
  options: { holdMs?: number; seed?: number } = {},
): Promise<FaultProxy> {
  return startFaultProxy({
    origin: originUrl,
    seed: options.seed ?? 1,
    rates: kind ? { [kind]: 1 } : {},
    ...(options.holdMs !== undefined && { holdMs: options.holdMs }),
  });
}

describe('startFaultProxy', () => {
  it('passes answers through with the origin replaced by the proxy', async () => {
    // Prepare
    const proxy = await proxyWith(undefined);

    // Act
    const answer = await get(`${proxy.url}/wp-json/wp/v2/posts`);
    await proxy.close();

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.headers?.link).toBe(
      `<${proxy.url}/wp-json/>; rel="https://api.w.org/"`,
    );
    expect(answer.headers?.['x-wp-total']).toBe('1');
    expect(JSON.parse(answer.body ?? '')).toEqual({
      ...BODY,
      link: `${proxy.url}/?p=1`,
    });
    expect(answer.body).not.toContain(originUrl.replaceAll('/', '\\/'));
    expect(proxy.injected()).toEqual({
      serverError: 0,
      internalError: 0,
      rateLimited: 0,
      timeout: 0,
      reset: 0,
      truncated: 0,
    });
  });

  it('answers a gateway error for serverError', async () => {
    const proxy = await proxyWith('serverError');

    const answer = await get(`${proxy.url}/`);
    await proxy.close();

    expect([502, 503, 504]).toContain(answer.status);
    expect(proxy.injected().serverError).toBe(1);
  });

  it('answers 500 as often in a row as asked for internalError', async () => {
    const proxy = await startFaultProxy({
      origin: originUrl,
      seed: 1,
      rates: { internalError: 1 },
      internalErrorRepeats: 2,
    });

    const first = await get(`${proxy.url}/a`);
    proxy.setRates({});
    const second = await get(`${proxy.url}/a`);
    const third = await get(`${proxy.url}/a`);
    await proxy.close();

    expect([first.status, second.status, third.status]).toEqual([
      500, 500, 200,
    ]);
    expect(proxy.injected().internalError).toBe(2);
  });

  it('answers 429 with Retry-After for rateLimited', async () => {
    const proxy = await proxyWith('rateLimited');

    const answer = await get(`${proxy.url}/`);
    await proxy.close();

    expect(answer.status).toBe(429);
    expect(answer.headers?.['retry-after']).toBe('1');
  });

  it('holds the request, then drops it, for timeout', async () => {
    const proxy = await proxyWith('timeout', { holdMs: 300 });

    const started = Date.now();
    const answer = await get(`${proxy.url}/`);
    const heldMs = Date.now() - started;
    await proxy.close();

    expect(answer.error).toMatch(/^WP_UNREACHABLE: /);
    expect(heldMs).toBeGreaterThanOrEqual(290);
  });

  it('resets the connection for reset', async () => {
    const proxy = await proxyWith('reset');

    const answer = await get(`${proxy.url}/`);
    await proxy.close();

    expect(answer.error).toMatch(/^WP_UNREACHABLE: /);
    expect(proxy.injected().reset).toBe(1);
  });

  it('cuts the body short of its Content-Length for truncated', async () => {
    const proxy = await proxyWith('truncated');

    const answer = await get(`${proxy.url}/`);
    await proxy.close();

    expect(answer.error).toMatch(/^WP_UNREACHABLE: .* cut off/);
    expect(proxy.injected().truncated).toBe(1);
  });

  it('fails one request in each run of 1 / rate, the same for a seed', async () => {
    // Prepare
    const statuses = async (seed: number) => {
      const proxy = await startFaultProxy({
        origin: originUrl,
        seed,
        rates: { serverError: 0.1, rateLimited: 0.1 },
      });
      const seen: (number | undefined)[] = [];
      for (let index = 0; index < 20; index++) {
        seen.push((await get(`${proxy.url}/${index}`)).status);
      }
      await proxy.close();
      return { seen, injected: proxy.injected() };
    };

    // Act
    const first = await statuses(7);
    const again = await statuses(7);

    // Assess: 20 requests at a fifth make four faults, two of each kind.
    expect(again).toEqual(first);
    expect(first.injected.serverError).toBe(2);
    expect(first.injected.rateLimited).toBe(2);
    for (let run = 0; run < 4; run++) {
      const inRun = first.seen.slice(run * 5, run * 5 + 5);
      expect(inRun.filter((status) => status !== 200)).toHaveLength(1);
    }
  });
});
