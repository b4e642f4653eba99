/**
 * How much of a request's time the API may spend talking to WordPress.
 *
 * The workers' defaults (60 s per request, five tries) suit a page of 100
 * posts; an API request must answer well before API Gateway gives up at
 * 30 s. So the API's calls get shorter timeouts, fewer tries and a
 * deadline after which no new WordPress request starts.
 */
import { WordPressError } from '../errors.js';
import type {
  WordPressClientConfig,
  WpClientDeps,
} from '../wordpress/client.js';

/**
 * The client settings of the API's calls. Registration makes up to five
 * requests (home page, up to three REST root guesses, `users/me`); with
 * the deadline, the worst case is the budget plus one request.
 */
export const API_WORDPRESS_CONFIG: Readonly<Partial<WordPressClientConfig>> =
  Object.freeze({
    connectTimeoutMs: 3_000,
    requestTimeoutMs: 6_000,
    maxAttempts: 2,
    serverErrorAttempts: 1,
    backoffBaseMs: 250,
    backoffCapMs: 1_000,
    maxInlineWaitSeconds: 2,
  });

/** Time after which an API request starts no new WordPress request. */
export const API_WORDPRESS_BUDGET_MS = 12_000;

/**
 * The WordPress client deps of one API request: `base` (the SSRF guard
 * stays in front) with the API's settings and a deadline from now.
 *
 * @param options.budgetMs time until the deadline.
 * @param options.config overrides of {@link API_WORDPRESS_CONFIG}.
 * @example
 * await registerSite(registration, {
 *   ...deps,
 *   wordpress: withinApiBudget(service.wordpress),
 * });
 */
export function withinApiBudget(
  base: WpClientDeps,
  options: {
    budgetMs?: number;
    config?: Partial<WordPressClientConfig>;
    now?: () => number;
  } = {},
): WpClientDeps {
  const now = options.now ?? Date.now;
  const budgetMs = options.budgetMs ?? API_WORDPRESS_BUDGET_MS;
  const deadline = now() + budgetMs;
  const inner = base.http?.urlGuard;
  return {
    ...base,
    config: { ...base.config, ...API_WORDPRESS_CONFIG, ...options.config },
    http: {
      ...base.http,
      urlGuard: (url) => {
        inner?.(url);
        if (now() >= deadline) {
          // Not retryable: a retry inside this request would only run later.
          throw new WordPressError(
            'WP_TIMEOUT',
            `${url.host} did not answer within the ${budgetMs} ms an API ` +
              'request may spend on the site; try again when it is faster.',
            { context: { url: `${url.protocol}//${url.host}`, budgetMs } },
          );
        }
      },
    },
  };
}
