/**
 * Following redirects on purpose rather than by default.
 *
 * A redirect is a new connection to a place the server chose, so each hop
 * goes through `request` again (and so through the guard), and credentials
 * never travel to an origin other than the one they were meant for.
 */
import { WordPressError } from '../errors.js';
import {
  type OutboundOptions,
  type OutboundRequest,
  type OutboundResponse,
  request,
} from './outbound.js';

/** Limits on redirect following. */
export interface RedirectOptions {
  /** Hops followed before giving up. @default 5 */
  maxRedirects?: number;
  /**
   * Also follow a hop from `http:` to `https:` on the same host name, with
   * credential headers removed (the next request can be sent to the https
   * URL directly). @default false
   */
  allowHttpsUpgrade?: boolean;
}

/** A response plus the URLs of the hops that led to it. */
export interface FollowedResponse extends OutboundResponse {
  /** Every URL requested after the first, in order. */
  redirects: string[];
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Headers that identify the caller and must stay on their own origin. */
const CREDENTIAL_HEADERS = new Set([
  'authorization',
  'cookie',
  'proxy-authorization',
]);

/**
 * Sends a request and follows same-origin redirects up to a limit.
 *
 * A redirect to another origin is not followed: the 3xx response is
 * returned so the caller can decide (and name both URLs to the user).
 *
 * @throws WordPressError `WP_BAD_RESPONSE` past `maxRedirects` hops, and
 *   whatever `request` throws for a hop.
 */
export async function requestFollowingRedirects(
  url: string | URL,
  req: OutboundRequest = {},
  options: OutboundOptions & RedirectOptions = {},
): Promise<FollowedResponse> {
  const maxRedirects = options.maxRedirects ?? 5;
  const redirects: string[] = [];
  let current = new URL(url);
  let hop: OutboundRequest = req;

  for (;;) {
    const response = await request(current, hop, options);
    const next = redirectTarget(response, current);
    if (!next) return { ...response, redirects };

    const sameOrigin = next.origin === current.origin;
    const upgrade =
      options.allowHttpsUpgrade === true && isHttpsUpgrade(current, next);
    if (!sameOrigin && !upgrade) return { ...response, redirects };
    if (redirects.length >= maxRedirects) {
      throw new WordPressError(
        'WP_BAD_RESPONSE',
        `${new URL(url).href} redirects more than ${maxRedirects} times.`,
        { context: { url: new URL(url).href, lastUrl: next.href } },
      );
    }
    hop = nextHop(hop, response.status, sameOrigin);
    redirects.push(next.href);
    current = next;
  }
}

/** Whether `next` is `from` moved from http to https on the same host. */
export function isHttpsUpgrade(from: URL, next: URL): boolean {
  return (
    from.protocol === 'http:' &&
    next.protocol === 'https:' &&
    from.hostname === next.hostname &&
    from.port === '' &&
    next.port === ''
  );
}

function redirectTarget(
  response: OutboundResponse,
  current: URL,
): URL | undefined {
  if (!REDIRECT_STATUSES.has(response.status)) return undefined;
  const location = response.headers.location;
  if (!location) return undefined;
  try {
    const next = new URL(location, current);
    return next.protocol === 'http:' || next.protocol === 'https:'
      ? next
      : undefined;
  } catch {
    return undefined;
  }
}

function nextHop(
  hop: OutboundRequest,
  status: number,
  sameOrigin: boolean,
): OutboundRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(hop.headers ?? {})) {
    if (!sameOrigin && CREDENTIAL_HEADERS.has(name.toLowerCase())) continue;
    headers[name] = value;
  }
  // As browsers do: 303 always, and 301/302 for non-GET, continue as GET.
  const method = hop.method ?? 'GET';
  const keepMethod = status === 307 || status === 308 || method === 'HEAD';
  return { method: keepMethod ? method : 'GET', headers };
}
