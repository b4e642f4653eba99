import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type ApiEvent,
  errorAnswer,
  expectNoBody,
  MAX_BODY_BYTES,
  parseBody,
  parsePath,
  parseQuery,
} from '../../../shared/api/http.js';
import {
  noQuerySchema,
  siteNotFound,
  sitePathSchema,
} from '../../../shared/api/schemas.js';
import {
  ValidationError,
  WordPressError,
  WpSyncError,
} from '../../../shared/errors.js';

function eventWith(fields: Partial<ApiEvent>): ApiEvent {
  return { headers: {}, isBase64Encoded: false, ...fields } as ApiEvent;
}

function thrownBy(work: () => unknown): WpSyncError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(WpSyncError);
    return error as WpSyncError;
  }
  throw new Error('nothing was thrown');
}

const schema = z.strictObject({ siteId: z.string().min(1) });

describe('parseBody', () => {
  it('returns the fields of a body that matches', () => {
    // Prepare
    const event = eventWith({ body: '{"siteId":"a"}' });

    // Act
    const body = parseBody(event, schema);

    // Assess
    expect(body).toEqual({ siteId: 'a' });
  });

  it('reads a base64 body as API Gateway passes binary ones', () => {
    // Prepare
    const text = '{"siteId":"b"}';
    const event = eventWith({
      body: Buffer.from(text).toString('base64'),
      isBase64Encoded: true,
    });

    // Act
    const body = parseBody(event, schema);

    // Assess
    expect(body).toEqual(JSON.parse(text));
  });

  it.each([
    ['malformed JSON', '{"siteId":'],
    ['an unknown field', '{"siteId":"a","tenantId":"other"}'],
    ['a JSON array', '[{"siteId":"a"}]'],
    ['JSON null', 'null'],
    ['a wrong type', '{"siteId":7}'],
  ])('refuses %s as VALIDATION_FAILED', (_case, text) => {
    // Prepare
    const event = eventWith({ body: text });

    // Act
    const error = thrownBy(() => parseBody(event, schema));

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.code).toBe('VALIDATION_FAILED');
  });

  it('names the unknown field among the issues', () => {
    // Prepare
    const event = eventWith({ body: '{"siteId":"a","tenantId":"other"}' });

    // Act
    const error = thrownBy(() => parseBody(event, schema)) as ValidationError;

    // Assess
    expect(JSON.stringify(error.issues)).toContain('tenantId');
  });

  it('refuses a body one byte over the limit as BODY_TOO_LARGE', () => {
    // Prepare
    const event = eventWith({ body: 'x'.repeat(MAX_BODY_BYTES + 1) });

    // Act
    const error = thrownBy(() => parseBody(event, schema));

    // Assess
    expect(error.code).toBe('BODY_TOO_LARGE');
  });

  it('counts bytes, not characters, against the limit', () => {
    // Prepare: each é is two bytes in UTF-8.
    const event = eventWith({ body: 'é'.repeat(MAX_BODY_BYTES / 2 + 1) });

    // Act
    const error = thrownBy(() => parseBody(event, schema));

    // Assess
    expect(error.code).toBe('BODY_TOO_LARGE');
  });
});

describe('parseQuery', () => {
  it('refuses a parameter a route does not take', () => {
    // Prepare
    const event = eventWith({ queryStringParameters: { tenantId: 'other' } });

    // Act
    const error = thrownBy(() => parseQuery(event, noQuerySchema));

    // Assess
    expect(error.code).toBe('VALIDATION_FAILED');
  });

  it('accepts no query string on a route without parameters', () => {
    // Prepare
    const event = eventWith({});

    // Act
    const query = parseQuery(event, noQuerySchema);

    // Assess
    expect(query).toEqual({});
  });
});

describe('parsePath', () => {
  it.each(['site_../../etc/passwd', 'site_ABCDEFABCDEFABCDEFABCDEF', ''])(
    'answers the not-found error for the malformed id %j',
    (siteId) => {
      // Prepare
      const event = eventWith({ pathParameters: { siteId } });
      const notFound = siteNotFound();

      // Act
      const error = thrownBy(() => parsePath(event, sitePathSchema, notFound));

      // Assess
      expect(error).toBe(notFound);
    },
  );
});

describe('expectNoBody', () => {
  it('refuses a body on a route that takes none', () => {
    // Prepare
    const event = eventWith({ body: '{}' });

    // Act
    const error = thrownBy(() => expectNoBody(event));

    // Assess
    expect(error.code).toBe('VALIDATION_FAILED');
  });
});

describe('errorAnswer', () => {
  it.each([
    ['WP_UNREACHABLE', 502],
    ['WP_TIMEOUT', 504],
    ['WP_URL_NOT_ALLOWED', 422],
    ['WP_UNAVAILABLE', 502],
  ] as const)('answers %s with %i', (code, status) => {
    // Prepare
    const error = new WordPressError(code, 'the site said no');

    // Act
    const { result } = errorAnswer(error, 'corr-1');

    // Assess
    expect(result.statusCode).toBe(status);
    expect(JSON.parse(String(result.body)).code).toBe(code);
  });

  it('carries the running syncId of SYNC_IN_PROGRESS', () => {
    // Prepare
    const syncId = `sync_${'a'.repeat(32)}`;
    const error = new WpSyncError('SYNC_IN_PROGRESS', 'still running', {
      context: { syncId },
    });

    // Act
    const { result } = errorAnswer(error, 'corr-1');

    // Assess
    expect(result.statusCode).toBe(409);
    expect(JSON.parse(String(result.body))).toEqual({
      code: 'SYNC_IN_PROGRESS',
      message: 'still running',
      syncId,
    });
  });

  it('answers every SITE_NOT_FOUND with the same body, whatever the id', () => {
    // Prepare
    const one = new WpSyncError('SITE_NOT_FOUND', 'Site site_1 is not known');
    const other = new WpSyncError('SITE_NOT_FOUND', 'Site site_2 is not known');

    // Act
    const first = errorAnswer(one, 'corr-1').result.body;
    const second = errorAnswer(other, 'corr-2').result.body;

    // Assess
    expect(first).toBe(second);
  });

  it('keeps context that is not public out of the body', () => {
    // Prepare
    const error = new WordPressError('WP_UNREACHABLE', 'connection failed', {
      context: { url: 'https://wp.example.com/secret-path', errorCode: 'X' },
    });

    // Act
    const body = JSON.parse(String(errorAnswer(error, 'c').result.body));

    // Assess
    expect(Object.keys(body).sort()).toEqual(['code', 'message']);
  });

  it('answers an unexpected error with 500 and no stack or message', () => {
    // Prepare
    const error = new TypeError('secret internals at line 42');

    // Act
    const { result, unexpected } = errorAnswer(error, 'corr-1');

    // Assess
    expect(result.statusCode).toBe(500);
    expect(unexpected).toBe(true);
    expect(result.body).not.toContain('secret internals');
    expect(result.body).not.toContain('at ');
  });
});
