/**
 * Turning any HTTP answer of a WordPress site into data or a typed error.
 *
 * The status line, the Content-Type and the body each lie on some sites:
 * caches label JSON as HTML, plugins answer errors with 200, maintenance
 * pages answer 503 with HTML. The body decides what an answer is; the
 * status and content type only help explain a body that is not JSON.
 */

import type { WordPressErrorCode } from '../errors.js';
import { type ErrorContext, WordPressError } from '../errors.js';
import { parseRetryAfter } from './backoff.js';
import { parseWordPressJson } from './body.js';
import type { WpWarning } from './types.js';

/** The JSON shape a request expects: a collection or a single object. */
export type Expectation = 'list' | 'object';

/** A WordPress `WP_Error` as the REST API serialises it. */
export interface WpErrorBody {
  code: string;
  message: string;
  data: { status: number; params?: Record<string, unknown> } & Record<
    string,
    unknown
  >;
}

/** The parts of a response classification looks at. */
export interface ResponseLike {
  url: string;
  status: number;
  headers: Record<string, string>;
  bodyText: string;
}

/** Either the parsed body or the error it stands for, with warnings. */
export type Classification =
  | { ok: true; body: unknown; warnings: WpWarning[] }
  | {
      ok: false;
      error: WordPressError;
      /** The WordPress error body, when the site sent one. */
      wpError?: WpErrorBody;
      warnings: WpWarning[];
    };

/** Codes plugins use when they switch the REST API off. */
export const REST_DISABLED_CODES: ReadonlySet<string> = new Set([
  'rest_disabled',
  'rest_cannot_access',
  'rest_access_disabled',
  'rest_forbidden',
  'rest_login_required',
]);

/** Codes WordPress uses when it received credentials and refused them. */
const AUTH_INVALID_CODES = new Set([
  'incorrect_password',
  'invalid_username',
  'invalid_email',
  'application_passwords_disabled',
  'application_passwords_disabled_for_user',
]);

/** The message for `rest_not_logged_in`, which has two possible causes. */
export const NOT_LOGGED_IN_MESSAGE =
  'WordPress treated the request as anonymous. Either the user name or ' +
  'application password is wrong, or the web server strips the ' +
  'Authorization header before it reaches PHP: ask the site admin to ' +
  'forward it (Apache: "CGIPassAuth On" or the .htaccess rule that copies ' +
  'Authorization into HTTP_AUTHORIZATION; proxies: pass the header on).';

/** Options of `classifyResponse`. */
export interface ClassifyOptions {
  /** Clock for `Retry-After` dates. */
  nowMs: number;
  /** Largest `Retry-After` reported. */
  retryAfterCapSeconds: number;
}

/**
 * Classifies one response before anything uses it.
 *
 * @example
 * const result = classifyResponse(response, 'list', {
 *   nowMs: Date.now(),
 *   retryAfterCapSeconds: 900,
 * });
 * if (!result.ok) throw result.error;
 */
export function classifyResponse(
  response: ResponseLike,
  expect: Expectation,
  options: ClassifyOptions,
): Classification {
  const parsed = parseWordPressJson(response.bodyText);
  const warnings = [...parsed.warnings];
  const retryAfterSeconds = parseRetryAfter(
    response.headers['retry-after'],
    options.nowMs,
    options.retryAfterCapSeconds,
  );
  const where = describe(response);

  if (parsed.ok && isWpErrorBody(parsed.value)) {
    const wpError = parsed.value;
    return {
      ok: false,
      error: fromWordPressError(wpError, response, where, retryAfterSeconds),
      wpError,
      warnings,
    };
  }
  const success = response.status >= 200 && response.status < 300;
  if (parsed.ok && success) {
    if (!hasShape(parsed.value, expect)) {
      return {
        ok: false,
        error: new WordPressError(
          'WP_BAD_RESPONSE',
          `${where} answered JSON that is not ${
            expect === 'list' ? 'a list' : 'an object'
          } (got ${shapeName(parsed.value)}).`,
          { status: response.status, context: contextOf(response) },
        ),
        warnings,
      };
    }
    const contentType = response.headers['content-type'] ?? '';
    if (!/json/i.test(contentType)) {
      warnings.push({
        code: 'WP_CONTENT_TYPE_NOT_JSON',
        message:
          `${where} labelled its JSON "${contentType || 'no type'}"; often ` +
          'a page cache plugin. The body was read as JSON anyway.',
      });
    }
    return { ok: true, body: parsed.value, warnings };
  }
  const snippet = parsed.ok ? '' : parsed.snippet;
  const html = !parsed.ok && parsed.kind === 'html';
  return {
    ok: false,
    error: fromStatus(response, where, html, snippet, retryAfterSeconds),
    warnings,
  };
}

/** Whether a value is a serialised `WP_Error`: `code` and `data.status`. */
export function isWpErrorBody(value: unknown): value is WpErrorBody {
  if (!isObject(value) || typeof value.code !== 'string') return false;
  const data = value.data;
  return isObject(data) && typeof data.status === 'number';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasShape(value: unknown, expect: Expectation): boolean {
  if (expect === 'object') return isObject(value);
  return Array.isArray(value) && value.every(isObject);
}

function shapeName(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  return value === null ? 'null' : typeof value;
}

function describe(response: ResponseLike): string {
  const url = new URL(response.url);
  return `${url.host}${url.pathname}${restRoute(url)}`;
}

function restRoute(url: URL): string {
  const route = url.searchParams.get('rest_route');
  return route === null ? '' : `?rest_route=${route}`;
}

function contextOf(
  response: ResponseLike,
  extra: Record<string, string | number | undefined> = {},
): ErrorContext {
  return { url: response.url, status: response.status, ...extra };
}

function plain(message: string): string {
  const text = message
    .replace(/<[^>]*>/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function fromWordPressError(
  body: WpErrorBody,
  response: ResponseLike,
  where: string,
  retryAfterSeconds: number | undefined,
): WordPressError {
  const status = body.data.status;
  const said = plain(typeof body.message === 'string' ? body.message : '');
  const context = contextOf(response, { wpCode: body.code, wpStatus: status });
  const make = (code: WordPressErrorCode, message: string, retryable = false) =>
    new WordPressError(code, message, {
      retryable,
      status,
      retryAfterSeconds: retryable ? retryAfterSeconds : undefined,
      context,
    });

  const refusal = permissionRefusal(body);
  if (refusal) {
    // A parameter WordPress refused for lack of rights (`status=private`
    // without a login): the fault is the login, not the parameter.
    return fromWordPressError(refusal, response, where, retryAfterSeconds);
  }
  if (body.code === 'rest_not_logged_in') {
    return make('WP_AUTH_NOT_RECEIVED_OR_INVALID', NOT_LOGGED_IN_MESSAGE);
  }
  if (AUTH_INVALID_CODES.has(body.code)) {
    return make(
      'WP_AUTH_INVALID',
      `WordPress refused the credentials (${body.code}): ${said} Check the ` +
        'user name and create a new application password.',
    );
  }
  if (REST_DISABLED_CODES.has(body.code)) {
    return make(
      'WP_REST_DISABLED',
      `The REST API of ${new URL(response.url).host} is switched off ` +
        `(${body.code}): "${said}". A security or performance plugin ` +
        'usually does this; allow REST access for the sync user.',
    );
  }
  if (body.code === 'rest_no_route') {
    return make(
      'WP_ROUTE_NOT_FOUND',
      `WordPress answers at ${where} but has no such route (rest_no_route): ` +
        'a plugin removed it or the content type is not exposed to REST. ' +
        'This is not a permalink problem.',
    );
  }
  if (status === 429) {
    return make('WP_RATE_LIMITED', `${where} is rate limiting: ${said}`, true);
  }
  if (status >= 500) {
    return make(
      'WP_UNAVAILABLE',
      `${where} failed on the server (${status} ${body.code}): ${said}`,
      true,
    );
  }
  if (status === 401) {
    // WordPress answers 401 to permission checks only when nobody is
    // logged in (rest_authorization_required_code); 403 when someone is.
    return make(
      'WP_AUTH_NOT_RECEIVED_OR_INVALID',
      `${where} needs a login (${body.code}: ${said}). ${NOT_LOGGED_IN_MESSAGE}`,
    );
  }
  if (status === 403) {
    return make(
      'WP_AUTH_FORBIDDEN',
      `The sync user may not read ${where} (${body.code}): ${said} Give the ` +
        'user a role that can edit this content (Editor or Administrator).',
    );
  }
  if (status === 404) {
    return make('WP_ROUTE_NOT_FOUND', `${where}: ${body.code}: ${said}`);
  }
  return make(
    'WP_BAD_REQUEST',
    `${where} rejected the request (${status} ${body.code}): ${said}`,
  );
}

/**
 * The permission error inside a `rest_invalid_param`, when WordPress
 * refused a parameter because of who is asking.
 */
function permissionRefusal(body: WpErrorBody): WpErrorBody | undefined {
  if (body.code !== 'rest_invalid_param') return undefined;
  const details = body.data.details;
  if (typeof details !== 'object' || details === null) return undefined;
  for (const detail of Object.values(details)) {
    if (isWpErrorBody(detail) && detail.code.startsWith('rest_forbidden')) {
      return detail;
    }
  }
  return undefined;
}

function fromStatus(
  response: ResponseLike,
  where: string,
  html: boolean,
  snippet: string,
  retryAfterSeconds: number | undefined,
): WordPressError {
  const { status } = response;
  const what = html ? 'an HTML page' : snippet ? 'a non-JSON body' : 'no body';
  const context = contextOf(response, { bodyStart: plain(snippet) });
  const make = (code: WordPressErrorCode, message: string, retryable = false) =>
    new WordPressError(code, message, {
      retryable,
      status,
      retryAfterSeconds: retryable ? retryAfterSeconds : undefined,
      context,
    });

  if (status === 429) {
    return make(
      'WP_RATE_LIMITED',
      `${where} is rate limiting requests (429); lower the concurrency.`,
      true,
    );
  }
  if (status === 408) {
    return make('WP_TIMEOUT', `${where} timed out on the server (408).`, true);
  }
  if (status >= 500) {
    const maintenance = /maintenance/i.test(snippet);
    return make(
      'WP_UNAVAILABLE',
      maintenance
        ? `${where} is in maintenance mode (${status}); try again later.`
        : `${where} is unavailable (${status}, ${what}).`,
      true,
    );
  }
  if (status >= 300 && status < 400) {
    const location = response.headers.location ?? '(no Location)';
    return make(
      'WP_REST_ROOT_OFF_ORIGIN',
      `${response.url} redirects to ${location}, another origin; not ` +
        'followed. Register the site under the URL it redirects to.',
    );
  }
  if (status === 401) {
    return make(
      'WP_AUTH_INVALID',
      `The web server in front of WordPress asks for HTTP authentication at ` +
        `${where} (401, ${what}); it consumes the Authorization header ` +
        'that carries the application password.',
    );
  }
  if (status === 403) {
    return make(
      'WP_AUTH_FORBIDDEN',
      `The web server or a firewall refused ${where} (403, ${what}); ` +
        'WordPress itself did not answer. Allow the sync to reach the site.',
    );
  }
  if (status === 404) {
    return make(
      'WP_REST_NOT_FOUND',
      `${where} is not a WordPress REST route (404, ${what}); the REST API ` +
        'may need `?rest_route=` because pretty permalinks are off.',
    );
  }
  if (status >= 200 && status < 300) {
    return make(
      'WP_BAD_RESPONSE',
      `${where} answered ${what} instead of JSON` +
        (snippet ? `: ${plain(snippet).slice(0, 120)}` : '.'),
    );
  }
  return make(
    'WP_BAD_REQUEST',
    `${where} rejected the request (${status}, ${what}).`,
  );
}
