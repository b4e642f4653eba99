/**
 * Building URLs of a WordPress REST API in either of its two forms.
 */
import { WordPressError } from '../errors.js';
import { isHttpsUpgrade } from '../http/redirects.js';
import type { WpConnection } from './types.js';

/** Query parameters of a REST request; arrays are sent comma-separated. */
export type QueryParams = Record<
  string,
  string | number | readonly (string | number)[] | undefined
>;

/**
 * The URL of `route` (e.g. `wp/v2/posts`) under a REST root.
 *
 * In query mode the route goes into `rest_route` and every further
 * parameter follows with `&`: a second `?` would become part of the route.
 *
 * @example
 * routeUrl(
 *   { restRoot: 'http://127.0.0.1:8089/?rest_route=/', restMode: 'query' },
 *   'wp/v2/posts',
 *   { page: 2 },
 * ); // 'http://127.0.0.1:8089/?rest_route=/wp/v2/posts&page=2'
 */
export function routeUrl(
  conn: Pick<WpConnection, 'restRoot' | 'restMode'>,
  route: string,
  params: QueryParams = {},
): string {
  const root = new URL(conn.restRoot);
  const pairs: string[] = [];
  let base: string;
  if (conn.restMode === 'query') {
    const prefix = root.searchParams.get('rest_route') ?? '/';
    pairs.push(`rest_route=${encodeRoute(joinRoute(prefix, route))}`);
    base = `${root.origin}${root.pathname}`;
  } else {
    const directory = root.pathname.endsWith('/')
      ? root.pathname
      : `${root.pathname}/`;
    base = `${root.origin}${directory}${route.replace(/^\/+/, '')}`;
  }
  for (const [name, value] of root.searchParams) {
    if (name !== 'rest_route') pairs.push(`${encode(name)}=${encode(value)}`);
  }
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(',') : String(value);
    pairs.push(`${encode(name)}=${encode(text)}`);
  }
  return pairs.length === 0 ? base : `${base}?${pairs.join('&')}`;
}

/**
 * A site URL as wp-sync stores it: http(s), no query, fragment or
 * credentials, ending in `/`. A bare host name gets `https://`.
 *
 * @throws WordPressError `WP_URL_NOT_ALLOWED` for anything else.
 */
export function normaliseSiteUrl(input: string): string {
  const text = input.trim();
  const withScheme = /^[a-z][a-z\d+.-]*:\/\//i.test(text)
    ? text
    : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new WordPressError(
      'WP_URL_NOT_ALLOWED',
      `"${input}" is not a URL; give the address of the WordPress site.`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new WordPressError(
      'WP_URL_NOT_ALLOWED',
      `A site URL must start with http:// or https://, not ${url.protocol}.`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new WordPressError(
      'WP_URL_NOT_ALLOWED',
      'A site URL must not carry a user name or password.',
    );
  }
  const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
  return `${url.origin}${path}`;
}

/**
 * Whether `candidate` belongs to the site: same origin, or the https
 * upgrade of the same host.
 */
export function isOnSiteOrigin(siteUrl: string, candidate: string): boolean {
  const site = new URL(siteUrl);
  const other = new URL(candidate);
  return site.origin === other.origin || isHttpsUpgrade(site, other);
}

function joinRoute(prefix: string, route: string): string {
  const head = prefix.endsWith('/') ? prefix : `${prefix}/`;
  return `${head}${route.replace(/^\/+/, '')}`;
}

function encode(text: string): string {
  return encodeURIComponent(text);
}

function encodeRoute(route: string): string {
  // Slashes stay readable; WordPress decodes either form.
  return encodeURIComponent(route).replace(/%2F/gi, '/');
}
