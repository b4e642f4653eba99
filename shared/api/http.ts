/**
 * What every API handler does the same way: read the caller's tenant from
 * the verified token, parse the body, and turn errors into answers.
 */
import { randomUUID } from 'node:crypto';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';
import type { z } from 'zod';
import { ValidationError, WordPressError, WpSyncError } from '../errors.js';

export type ApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type ApiResult = APIGatewayProxyStructuredResultV2;

/** Claim of the verified token that names the tenant. */
export const TENANT_CLAIM = process.env.TENANT_CLAIM ?? 'tenantId';

/** Largest request body any route accepts. */
export const MAX_BODY_BYTES = 16 * 1024;

/**
 * The tenant from the token API Gateway's JWT authorizer verified; never
 * from a header or the body.
 *
 * @throws {WpSyncError} `UNAUTHENTICATED` when the claim is missing.
 */
export function tenantOf(event: ApiEvent): string {
  const tenant = event.requestContext?.authorizer?.jwt?.claims?.[TENANT_CLAIM];
  if (typeof tenant !== 'string' || tenant.length === 0) {
    throw new WpSyncError('UNAUTHENTICATED', 'The token names no tenant');
  }
  return tenant;
}

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's `x-correlation-id` when well formed, else a new one. */
export function correlationIdOf(event: ApiEvent): string {
  const given = event.headers?.['x-correlation-id'];
  return given && CORRELATION_ID.test(given) ? given : randomUUID();
}

/**
 * Parses a JSON body against a schema.
 *
 * @throws {ValidationError} naming each field that is wrong.
 */
export function parseBody<T>(event: ApiEvent, schema: z.ZodType<T>): T {
  const raw = event.body
    ? event.isBase64Encoded
      ? Buffer.from(event.body, 'base64').toString('utf8')
      : event.body
    : '';
  if (Buffer.byteLength(raw) > MAX_BODY_BYTES) {
    throw new ApiError(
      413,
      'BODY_TOO_LARGE',
      `Bodies are limited to ${MAX_BODY_BYTES} bytes`,
    );
  }
  let json: unknown;
  try {
    json = raw === '' ? {} : JSON.parse(raw);
  } catch {
    throw new ValidationError('The body is not valid JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new ValidationError(
      'The body does not match the request schema',
      parsed.error.issues.map((issue) => ({
        path: issue.path.join('.'),
        message: issue.message,
      })),
    );
  }
  return parsed.data;
}

/** An error that already knows its HTTP answer. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A JSON answer. */
export function json(
  status: number,
  body: unknown,
  correlationId: string,
): ApiResult {
  return {
    statusCode: status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'x-correlation-id': correlationId,
    },
    body: JSON.stringify(body),
  };
}

const STATUS_OF_CODE: Record<string, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  SITE_NOT_FOUND: 404,
  SYNC_NOT_FOUND: 404,
  SYNC_IN_PROGRESS: 409,
  WP_URL_NOT_ALLOWED: 422,
  WP_AUTH_NOT_RECEIVED_OR_INVALID: 422,
  WP_AUTH_INVALID: 422,
  WP_AUTH_FORBIDDEN: 422,
  WP_REST_DISABLED: 422,
  WP_REST_NOT_FOUND: 422,
  WP_REST_ROOT_OFF_ORIGIN: 422,
  WP_ROUTE_NOT_FOUND: 422,
  WP_TIMEOUT: 504,
};

/**
 * The answer for an error: its code and message, never a stack trace.
 * WordPress faults answer 4xx when the tenant can fix them and 502/504 when
 * the site could not be reached.
 */
export function errorAnswer(
  error: unknown,
  correlationId: string,
): { result: ApiResult; unexpected: boolean } {
  if (error instanceof ApiError) {
    return {
      result: json(
        error.status,
        { code: error.code, message: error.message, ...error.details },
        correlationId,
      ),
      unexpected: false,
    };
  }
  if (error instanceof WpSyncError) {
    const status =
      STATUS_OF_CODE[error.code] ??
      (error instanceof WordPressError ? 502 : 500);
    const issues =
      error instanceof ValidationError ? { issues: error.issues } : {};
    return {
      result: json(
        status,
        { code: error.code, message: error.message, ...issues },
        correlationId,
      ),
      unexpected: status === 500,
    };
  }
  return {
    result: json(
      500,
      { code: 'INTERNAL', message: 'Something went wrong on our side' },
      correlationId,
    ),
    unexpected: true,
  };
}
