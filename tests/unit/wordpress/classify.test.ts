import { describe, expect, it } from 'vitest';
import {
  classifyResponse,
  type ResponseLike,
} from '../../../shared/wordpress/classify.js';
import {
  AUTH_STRIPPED_401,
  JSON_LABELLED_HTML,
  MAINTENANCE_503,
  PLAIN_PERMALINKS_404,
  RATE_LIMIT_429,
  REST_DISABLED_403,
  SINGLE_POST_500,
} from './support/cases.js';

const NOW_MS = Date.UTC(2026, 0, 1);
const OPTIONS = { nowMs: NOW_MS, retryAfterCapSeconds: 900 };

/** A case message as the response the classifier sees. */
function responseOf(
  message: string,
  url = 'https://example.test/wp-json/wp/v2/posts',
): ResponseLike {
  const split = message.indexOf('\n\n');
  const [statusLine = '', ...headerLines] = message.slice(0, split).split('\n');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return {
    url,
    status: Number(statusLine.split(' ')[1]),
    headers,
    bodyText: message.slice(split + 2),
  };
}

function errorOf(response: ResponseLike, expect: 'list' | 'object' = 'list') {
  const result = classifyResponse(response, expect, OPTIONS);
  if (result.ok) throw new Error('expected an error');
  return result.error;
}

describe('classifyResponse', () => {
  it('reads JSON labelled text/html and warns WP_CONTENT_TYPE_NOT_JSON', () => {
    // Prepare
    const response = responseOf(JSON_LABELLED_HTML);

    // Act
    const result = classifyResponse(response, 'list', OPTIONS);

    // Assess
    expect(result).toMatchObject({
      ok: true,
      body: JSON.parse(response.bodyText),
    });
    expect(result.warnings.map((warning) => warning.code)).toEqual([
      'WP_CONTENT_TYPE_NOT_JSON',
    ]);
  });

  it('reads JSON with no Content-Type or text/plain alike', () => {
    // Prepare
    const bare = { ...responseOf(JSON_LABELLED_HTML), headers: {} };
    const plain = {
      ...bare,
      headers: { 'content-type': 'text/plain' },
    };

    // Act
    const results = [bare, plain].map((response) =>
      classifyResponse(response, 'list', OPTIONS),
    );

    // Assess
    expect(results.map((result) => result.ok)).toEqual([true, true]);
  });

  it('treats a WordPress error object as an error whatever the status', () => {
    // Prepare: a plugin answers its WP_Error with 200.
    const response = {
      ...responseOf(REST_DISABLED_403),
      status: 200,
    };

    // Act
    const error = errorOf(response);

    // Assess
    expect(error.code).toBe('WP_REST_DISABLED');
    expect(error.status).toBe(403);
  });

  it('rejects an object where a list is expected and the reverse', () => {
    // Prepare
    const object = { ...responseOf(JSON_LABELLED_HTML), bodyText: '{"id":1}' };
    const list = { ...object, bodyText: '[]' };
    const scalars = { ...object, bodyText: '[1,2]' };

    // Act
    const errors = [
      errorOf(object, 'list'),
      errorOf(list, 'object'),
      errorOf(scalars, 'list'),
    ];

    // Assess
    expect(errors.map((error) => error.code)).toEqual([
      'WP_BAD_RESPONSE',
      'WP_BAD_RESPONSE',
      'WP_BAD_RESPONSE',
    ]);
  });

  it('classifies the maintenance page as retryable with its Retry-After', () => {
    // Prepare
    const response = responseOf(MAINTENANCE_503);

    // Act
    const error = errorOf(response);

    // Assess
    expect(error.code).toBe('WP_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(error.retryAfterSeconds).toBe(600);
    expect(error.message).toContain('maintenance');
  });

  it('reads a Retry-After date on a JSON wp_die 503 and caps it', () => {
    // Prepare: the JSON form of wp_die, asking for an hour.
    const response: ResponseLike = {
      url: 'https://example.test/wp-json/wp/v2/posts',
      status: 503,
      headers: { 'retry-after': new Date(NOW_MS + 3_600_000).toUTCString() },
      bodyText:
        '{"code":"wp_die","message":"Briefly unavailable for scheduled ' +
        'maintenance.","data":{"status":503}}',
    };

    // Act
    const error = errorOf(response);

    // Assess
    expect(error.code).toBe('WP_UNAVAILABLE');
    expect(error.retryAfterSeconds).toBe(OPTIONS.retryAfterCapSeconds);
  });

  it('classifies 429 as WP_RATE_LIMITED with its Retry-After', () => {
    // Act
    const error = errorOf(responseOf(RATE_LIMIT_429));

    // Assess
    expect(error.code).toBe('WP_RATE_LIMITED');
    expect(error.retryable).toBe(true);
    expect(error.retryAfterSeconds).toBe(30);
  });

  it('classifies the critical-error 500 as a retryable 500', () => {
    // Act
    const json = errorOf(responseOf(SINGLE_POST_500));
    const html = errorOf({
      ...responseOf(SINGLE_POST_500),
      headers: { 'content-type': 'text/html' },
      bodyText:
        '<html><body><p>There has been a critical error.</p></body></html>',
    });

    // Assess
    expect([json.code, json.status, json.retryable]).toEqual([
      'WP_UNAVAILABLE',
      500,
      true,
    ]);
    expect([html.code, html.status]).toEqual(['WP_UNAVAILABLE', 500]);
  });

  it('tells an HTML 404 (permalinks) from a JSON rest_no_route', () => {
    // Prepare
    const html = responseOf(PLAIN_PERMALINKS_404);
    const json: ResponseLike = {
      ...html,
      headers: { 'content-type': 'application/json' },
      bodyText:
        '{"code":"rest_no_route","message":"No route was found matching ' +
        'the URL and request method.","data":{"status":404}}',
    };

    // Act
    const errors = [errorOf(html), errorOf(json)];

    // Assess
    expect(errors.map((error) => error.code)).toEqual([
      'WP_REST_NOT_FOUND',
      'WP_ROUTE_NOT_FOUND',
    ]);
    expect(errors[1]?.message).toContain('not a permalink problem');
  });

  it('names both causes for rest_not_logged_in and does not retry it', () => {
    // Act
    const error = errorOf(responseOf(AUTH_STRIPPED_401), 'object');

    // Assess
    expect(error.code).toBe('WP_AUTH_NOT_RECEIVED_OR_INVALID');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/application password is wrong/);
    expect(error.message).toMatch(/strips the Authorization header/);
    expect(error.message).toContain('CGIPassAuth On');
  });

  it('maps incorrect_password and invalid_username to WP_AUTH_INVALID', () => {
    // Prepare
    const responses = ['incorrect_password', 'invalid_username'].map(
      (code) => ({
        ...responseOf(AUTH_STRIPPED_401),
        bodyText: `{"code":"${code}","message":"Unknown.","data":{"status":401}}`,
      }),
    );

    // Act
    const codes = responses.map((response) => errorOf(response).code);

    // Assess
    expect(codes).toEqual(['WP_AUTH_INVALID', 'WP_AUTH_INVALID']);
  });

  it('maps the whole REST-disabled family with the plugin message', () => {
    // Prepare
    const family = [
      'rest_disabled',
      'rest_cannot_access',
      'rest_access_disabled',
      'rest_forbidden',
      'rest_login_required',
    ];
    const responses = family.map((code) => ({
      ...responseOf(REST_DISABLED_403),
      bodyText: `{"code":"${code}","message":"Blocked by ${code}.","data":{"status":401}}`,
    }));

    // Act
    const errors = responses.map((response) => errorOf(response));

    // Assess
    errors.forEach((error, index) => {
      expect(error.code).toBe('WP_REST_DISABLED');
      expect(error.retryable).toBe(false);
      expect(error.message).toContain(`Blocked by ${family[index]}.`);
    });
  });

  it('names a firewall for an HTML 403 and a server login for an HTML 401', () => {
    // Prepare
    const base = responseOf(PLAIN_PERMALINKS_404);

    // Act
    const forbidden = errorOf({ ...base, status: 403 });
    const login = errorOf({ ...base, status: 401 });

    // Assess
    expect(forbidden.code).toBe('WP_AUTH_FORBIDDEN');
    expect(login.code).toBe('WP_AUTH_INVALID');
  });
});
