/**
 * One REST GET with retries: the loop every WordPress call goes through.
 */
import { WordPressError, type WordPressErrorCode } from '../errors.js';
import type { OutboundOptions } from '../http/outbound.js';
import { requestFollowingRedirects } from '../http/redirects.js';
import { backoffDelayMs } from './backoff.js';
import {
  classifyResponse,
  type Expectation,
  type WpErrorBody,
} from './classify.js';
import { resolveConfig, type WordPressClientConfig } from './config.js';
import type { WpClientDeps, WpLogger, WpWarning } from './types.js';

/** Deps with every default filled in. */
export interface Runtime {
  config: WordPressClientConfig;
  http: OutboundOptions;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  random: () => number;
  logger: WpLogger;
}

/** Credentials for Basic authentication with an application password. */
export interface BasicCredentials {
  username: string;
  appPassword: string;
}

/** How one GET went, after all its attempts. */
export type GetOutcome = {
  /** The URL that answered last (after same-origin redirects). */
  url: string;
  warnings: WpWarning[];
  attempts: number;
  /** Wall time of all attempts, waits included. */
  requestMs: number;
  /** Body bytes received over all attempts. */
  bytes: number;
} & (
  | { ok: true; body: unknown; headers: Record<string, string> }
  | { ok: false; error: WordPressError; wpError?: WpErrorBody }
);

const silentLogger: WpLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
};

function realSleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/** Fills in the defaults of `deps`. */
export function runtimeOf(deps: WpClientDeps = {}): Runtime {
  const config = resolveConfig(deps.config);
  return {
    config,
    http: {
      connectTimeoutMs: config.connectTimeoutMs,
      timeoutMs: config.requestTimeoutMs,
      maxResponseBytes: config.maxResponseBytes,
      ...deps.http,
    },
    sleep: deps.sleep ?? realSleep,
    now: deps.now ?? Date.now,
    random: deps.random ?? Math.random,
    logger: deps.logger ?? silentLogger,
  };
}

/** Options of one `getJson` call. */
export interface GetOptions {
  /** Sent as Basic authentication when given. */
  auth?: BasicCredentials;
  /** Follow an http to https redirect of the same host (discovery only). */
  allowHttpsUpgrade?: boolean;
}

/**
 * GETs a REST URL, retrying transient faults, and classifies the answer.
 *
 * Transient faults (5xx, 429, 408, timeouts, resets, truncated bodies) are
 * tried `maxAttempts` times, a 500 only `serverErrorAttempts` times, with
 * full-jitter backoff or the site's `Retry-After`. A wait longer than
 * `maxInlineWaitSeconds` ends the loop at once. Every `WordPressError` is
 * returned, not thrown; anything else is a bug and propagates.
 */
export async function getJson(
  url: string,
  expect: Expectation,
  rt: Runtime,
  options: GetOptions = {},
): Promise<GetOutcome> {
  const { config, logger } = rt;
  const headers = requestHeaders(config, options.auth);
  const started = rt.now();
  let bytes = 0;
  let throttled = 0;

  for (let attempt = 1; ; attempt += 1) {
    let failure: WordPressError;
    let answeredUrl = url;
    try {
      const response = await requestFollowingRedirects(
        url,
        { headers },
        {
          ...rt.http,
          maxRedirects: config.maxRedirects,
          allowHttpsUpgrade: options.allowHttpsUpgrade,
        },
      );
      bytes += response.bytes;
      answeredUrl = response.url;
      logger.debug('WordPress answered', {
        url: response.url,
        status: response.status,
        bytes: response.bytes,
        elapsedMs: response.elapsedMs,
        attempt,
      });
      const result = classifyResponse(response, expect, {
        nowMs: rt.now(),
        retryAfterCapSeconds: config.retryAfterCapSeconds,
      });
      const done = {
        url: response.url,
        warnings: [...throttleWarning(throttled), ...result.warnings],
        attempts: attempt,
        requestMs: rt.now() - started,
        bytes,
      };
      if (result.ok) {
        return {
          ...done,
          ok: true,
          body: result.body,
          headers: response.headers,
        };
      }
      if (!result.error.retryable) {
        return {
          ...done,
          ok: false,
          error: result.error,
          wpError: result.wpError,
        };
      }
      failure = result.error;
    } catch (error) {
      if (!(error instanceof WordPressError)) throw error;
      if (!error.retryable) {
        return {
          url: answeredUrl,
          warnings: [],
          attempts: attempt,
          requestMs: rt.now() - started,
          bytes,
          ok: false,
          error,
        };
      }
      failure = error;
    }

    const limit =
      failure.status === 500 ? config.serverErrorAttempts : config.maxAttempts;
    const waitMs =
      failure.retryAfterSeconds !== undefined
        ? failure.retryAfterSeconds * 1000
        : backoffDelayMs(
            attempt,
            config.backoffBaseMs,
            config.backoffCapMs,
            rt.random,
          );
    if (attempt >= limit || waitMs > config.maxInlineWaitSeconds * 1000) {
      logger.warn('WordPress request gave up', {
        url,
        attempts: attempt,
        code: failure.code,
        status: failure.status,
      });
      return {
        url: answeredUrl,
        warnings: [],
        attempts: attempt,
        requestMs: rt.now() - started,
        bytes,
        ok: false,
        error: exhausted(failure, attempt, config.deferSeconds),
      };
    }
    logger.warn('WordPress request failed; retrying', {
      url,
      attempt,
      code: failure.code,
      status: failure.status,
      waitMs,
    });
    if (failure.code === 'WP_RATE_LIMITED') throttled += 1;
    await rt.sleep(waitMs);
  }
}

/** Tells the caller to slow down even though the request succeeded. */
function throttleWarning(times: number): WpWarning[] {
  if (times === 0) return [];
  return [
    {
      code: 'WP_RATE_LIMITED',
      message:
        `The site rate-limited this request ${times} time(s) before ` +
        'answering; fewer requests in parallel would be kinder to it.',
    },
  ];
}

function requestHeaders(
  config: WordPressClientConfig,
  auth: BasicCredentials | undefined,
): Record<string, string> {
  const headers: Record<string, string> = {
    // JSON in Accept also makes WordPress (5.0+) turn display_errors off.
    accept: 'application/json',
    'user-agent': config.userAgent,
  };
  if (auth && auth.username !== '' && auth.appPassword !== '') {
    const token = Buffer.from(`${auth.username}:${auth.appPassword}`).toString(
      'base64',
    );
    headers.authorization = `Basic ${token}`;
  }
  return headers;
}

function exhausted(
  failure: WordPressError,
  attempts: number,
  deferSeconds: number,
): WordPressError {
  return new WordPressError(
    failure.code as WordPressErrorCode,
    `${failure.message} Gave up after ${attempts} attempt(s); ` +
      'try again later.',
    {
      retryable: true,
      status: failure.status,
      retryAfterSeconds: failure.retryAfterSeconds ?? deferSeconds,
      context: { ...failure.context, attempts },
      cause: failure,
    },
  );
}
