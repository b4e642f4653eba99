import { afterEach, describe, expect, it } from 'vitest';
import {
  API_WORDPRESS_CONFIG,
  withinApiBudget,
} from '../../../shared/api/wordpress-budget.js';
import { WordPressError } from '../../../shared/errors.js';
import { guardedHttpOptions } from '../../../shared/http/ssrf-guard.js';
import { discoverSite } from '../../../shared/wordpress/client.js';
import {
  type ReplayServer,
  startReplayServer,
} from '../http/support/replay-server.js';

const servers: ReplayServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function refusal(work: Promise<unknown>): Promise<WordPressError> {
  const error = await work.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(WordPressError);
  return error as WordPressError;
}

describe('withinApiBudget', () => {
  it('lets requests start before the deadline', () => {
    // Prepare
    let clock = 1_000;
    const deps = withinApiBudget({}, { budgetMs: 500, now: () => clock });
    clock += 499;

    // Act
    const check = () => deps.http?.urlGuard?.(new URL('https://a.example/'));

    // Assess
    expect(check).not.toThrow();
  });

  it('refuses a request that would start at the deadline as WP_TIMEOUT', () => {
    // Prepare
    let clock = 1_000;
    const deps = withinApiBudget({}, { budgetMs: 500, now: () => clock });
    clock += 500;

    // Act
    let thrown: unknown;
    try {
      deps.http?.urlGuard?.(new URL('https://a.example/'));
    } catch (error) {
      thrown = error;
    }

    // Assess
    expect(thrown).toBeInstanceOf(WordPressError);
    expect((thrown as WordPressError).code).toBe('WP_TIMEOUT');
    expect((thrown as WordPressError).retryable).toBe(false);
  });

  it('keeps the SSRF guard in front of the deadline', () => {
    // Prepare
    const deps = withinApiBudget({
      http: guardedHttpOptions({ allowLocalOrigins: false }),
    });

    // Act
    let thrown: unknown;
    try {
      deps.http?.urlGuard?.(new URL('https://10.0.0.1/'));
    } catch (error) {
      thrown = error;
    }

    // Assess
    expect((thrown as WordPressError).code).toBe('WP_URL_NOT_ALLOWED');
  });

  it('uses the API settings over the caller config', () => {
    // Prepare
    const base = { config: { requestTimeoutMs: 60_000, perPage: 50 } };

    // Act
    const deps = withinApiBudget(base);

    // Assess
    expect(deps.config).toEqual({ perPage: 50, ...API_WORDPRESS_CONFIG });
  });

  it('gives up on a site that never answers within budget plus one request', async () => {
    // Prepare
    const server = await startReplayServer(() => ({ hang: true }));
    servers.push(server);
    const budgetMs = 300;
    const requestTimeoutMs = 200;
    const deps = withinApiBudget(
      { http: guardedHttpOptions({ allowLocalOrigins: true }) },
      // Three tries would take 800 ms without the deadline.
      {
        budgetMs,
        config: { requestTimeoutMs, maxAttempts: 3, backoffBaseMs: 0 },
      },
    );
    const started = Date.now();

    // Act
    const error = await refusal(discoverSite(server.origin, deps));

    // Assess
    expect(error.code).toBe('WP_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(
      budgetMs + requestTimeoutMs + 100,
    );
  });
});
