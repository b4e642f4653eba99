/**
 * Finding where a site's REST API lives, once, before any sync.
 *
 * The root is read from the `Link: <…>; rel="https://api.w.org/"` header
 * (or the matching `<link>` element) of the home page, then guessed as
 * `/wp-json/` and, for sites without pretty permalinks, `/?rest_route=/`.
 */
import { WordPressError } from '../errors.js';
import { requestFollowingRedirects } from '../http/redirects.js';
import { decodeEntities } from './normalize.js';
import {
  type BasicCredentials,
  type GetOutcome,
  getJson,
  type Runtime,
  runtimeOf,
} from './transport.js';
import type { WpClientDeps, WpConnection } from './types.js';
import { isOnSiteOrigin, normaliseSiteUrl } from './urls.js';

/** What discovery learns about a site. */
export interface WpSiteInfo {
  /** The site URL, normalised (and upgraded to https if the site does). */
  siteUrl: string;
  /** The REST root, ending in `/` or `?rest_route=/`. */
  restRoot: string;
  restMode: WpConnection['restMode'];
  /** The site title, entities decoded. */
  name: string;
  /** Hours east of UTC (may be fractional, e.g. 5.5). */
  gmtOffset: number;
  /** An IANA zone such as `Europe/Paris`, or '' for a fixed offset. */
  timezoneString: string;
}

const API_REL = 'https://api.w.org/';

/**
 * Discovers the REST root of a site and reads its name and time zone.
 *
 * Requests go out without credentials; when a plugin refuses anonymous
 * REST access and `credentials` are given, the root is asked once more
 * with them.
 *
 * @throws WordPressError `WP_REST_ROOT_OFF_ORIGIN` when the site names or
 *   redirects to a root on another origin; `WP_REST_DISABLED` when a
 *   plugin switched REST off; `WP_ROUTE_NOT_FOUND` when WordPress answers
 *   but lacks `wp/v2`; `WP_REST_NOT_FOUND` when no root answers; transport
 *   faults as the other calls.
 * @example
 * const site = await discoverSite('https://example.test');
 * // { restRoot: 'https://example.test/wp-json/', restMode: 'pretty', … }
 */
export async function discoverSite(
  siteUrl: string,
  deps?: WpClientDeps,
  credentials?: BasicCredentials,
): Promise<WpSiteInfo> {
  const rt = runtimeOf(deps);
  let site = normaliseSiteUrl(siteUrl);
  const home = await readHome(site, rt);
  if (home.upgradedTo) site = home.upgradedTo;

  const tried: string[] = [];
  let offOrigin: string | undefined;
  for (const candidate of candidates(site, home.advertised)) {
    const outcome = await probeRoot(candidate, rt, credentials);
    if (outcome.ok) {
      return siteInfo(site, outcome.url, outcome.body);
    }
    const { error } = outcome;
    if (error.code === 'WP_REST_ROOT_OFF_ORIGIN') {
      offOrigin ??= `${candidate} redirects off the site (${error.message})`;
    } else if (
      error.code !== 'WP_REST_NOT_FOUND' &&
      error.code !== 'WP_BAD_RESPONSE'
    ) {
      // WordPress itself answered (or the site is down): another guess
      // would meet the same answer.
      throw error;
    }
    tried.push(`${candidate} (${error.status ?? error.code})`);
  }
  if (offOrigin) {
    throw new WordPressError('WP_REST_ROOT_OFF_ORIGIN', offOrigin, {
      context: { siteUrl: site },
    });
  }
  throw new WordPressError(
    'WP_REST_NOT_FOUND',
    `No WordPress REST API answers for ${site}; tried ${tried.join(', ')}. ` +
      'Check that this is a WordPress site and that its REST API is on.',
    { context: { siteUrl: site } },
  );
}

interface Home {
  /** The root the home page names, if any. */
  advertised?: string;
  /** The https site URL when the home page redirected there. */
  upgradedTo?: string;
}

/** Reads the home page for its API link; faults here are not fatal. */
async function readHome(site: string, rt: Runtime): Promise<Home> {
  let response: Awaited<ReturnType<typeof requestFollowingRedirects>>;
  try {
    response = await requestFollowingRedirects(
      site,
      { headers: { 'user-agent': rt.config.userAgent } },
      {
        ...rt.http,
        maxRedirects: rt.config.maxRedirects,
        allowHttpsUpgrade: true,
      },
    );
  } catch (error) {
    // A refused or non-existent host fails every later request too.
    if (error instanceof WordPressError && !error.retryable) throw error;
    return {};
  }
  const final = new URL(response.url);
  const upgradedTo =
    final.protocol !== new URL(site).protocol
      ? normaliseSiteUrl(`${final.origin}${new URL(site).pathname}`)
      : undefined;
  const advertised =
    apiLinkFromHeader(response.headers.link, response.url) ??
    apiLinkFromHtml(response.bodyText, response.url);
  if (advertised && !isOnSiteOrigin(site, advertised)) {
    throw new WordPressError(
      'WP_REST_ROOT_OFF_ORIGIN',
      `${site} names its REST API at ${advertised}, on another origin. ` +
        'wp-sync reads a site only from its own origin: register the site ' +
        'under the URL of its REST API, or fix the WordPress address setting.',
      { context: { siteUrl: site, restRoot: advertised } },
    );
  }
  return { advertised, upgradedTo };
}

function candidates(site: string, advertised: string | undefined): string[] {
  const guesses = [`${site}wp-json/`, `${site}?rest_route=/`];
  return advertised
    ? [advertised, ...guesses.filter((url) => url !== advertised)]
    : guesses;
}

/** Asks a candidate root for the REST index. */
async function probeRoot(
  candidate: string,
  rt: Runtime,
  credentials: BasicCredentials | undefined,
): Promise<GetOutcome> {
  let outcome = await getJson(candidate, 'object', rt, {
    allowHttpsUpgrade: true,
  });
  if (
    !outcome.ok &&
    outcome.error.code === 'WP_REST_DISABLED' &&
    credentials !== undefined
  ) {
    // Some plugins close REST to anonymous callers only.
    outcome = await getJson(outcome.url, 'object', rt, {
      auth: credentials,
    });
  }
  if (!outcome.ok) return outcome;
  const index = outcome.body as Record<string, unknown>;
  if (!Array.isArray(index.namespaces)) {
    return notAnIndex(
      outcome,
      `${candidate} answered JSON that is not a REST index.`,
    );
  }
  if (!index.namespaces.includes('wp/v2')) {
    return {
      ...outcome,
      ok: false,
      error: new WordPressError(
        'WP_ROUTE_NOT_FOUND',
        `The REST API at ${candidate} has no wp/v2 namespace; a plugin ` +
          'removed the core routes.',
        { context: { url: candidate } },
      ),
    };
  }
  return outcome;
}

function notAnIndex(outcome: GetOutcome, message: string): GetOutcome {
  return {
    ...outcome,
    ok: false,
    error: new WordPressError('WP_BAD_RESPONSE', message, {
      context: { url: outcome.url },
    }),
  };
}

function siteInfo(site: string, rootUrl: string, body: unknown): WpSiteInfo {
  const index = body as Record<string, unknown>;
  const root = new URL(rootUrl);
  const restMode = root.searchParams.has('rest_route') ? 'query' : 'pretty';
  if (restMode === 'pretty' && !root.pathname.endsWith('/')) {
    root.pathname = `${root.pathname}/`;
  }
  const upgraded = root.protocol === 'https:' && site.startsWith('http:');
  const offset = Number(index.gmt_offset);
  return {
    siteUrl: upgraded ? site.replace(/^http:/, 'https:') : site,
    restRoot: root.href,
    restMode,
    name: typeof index.name === 'string' ? decodeEntities(index.name) : '',
    gmtOffset: Number.isFinite(offset) ? offset : 0,
    timezoneString:
      typeof index.timezone_string === 'string' ? index.timezone_string : '',
  };
}

/** The `rel="https://api.w.org/"` target of a Link header, resolved. */
export function apiLinkFromHeader(
  header: string | undefined,
  base: string,
): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (!match?.[1]) continue;
    const rels = /;\s*rel\s*=\s*"?([^";]*)"?/i.exec(match[2] ?? '')?.[1];
    if (rels?.split(/\s+/).includes(API_REL)) return resolveUrl(match[1], base);
  }
  return undefined;
}

/** The same link from a `<link rel="https://api.w.org/" href>` element. */
export function apiLinkFromHtml(
  html: string,
  base: string,
): string | undefined {
  for (const tag of html.slice(0, 200_000).match(/<link\b[^>]*>/gi) ?? []) {
    const rel = /\brel\s*=\s*["']([^"']*)["']/i.exec(tag)?.[1];
    const href = /\bhref\s*=\s*["']([^"']*)["']/i.exec(tag)?.[1];
    if (href && rel?.split(/\s+/).includes(API_REL)) {
      return resolveUrl(decodeEntities(href), base);
    }
  }
  return undefined;
}

function resolveUrl(href: string, base: string): string | undefined {
  try {
    return new URL(href, base).href;
  } catch {
    return undefined;
  }
}
