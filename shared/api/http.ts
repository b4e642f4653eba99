/**
 * What every API handler does the same way: read the caller's tenant from
 * the verified token, validate the path, query and body, and turn errors
 * into answers.
 */
import { randomUUID } from 'node:crypto';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';
import type { z } from 'zod';
import {
  type ErrorCode,
  ValidationError,
  WordPressError,
  WpSyncError,
} from '../errors.js';

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
 * The body as text, checked against the size limit before anything reads
 * it.
 *
 * @throws {WpSyncError} `BODY_TOO_LARGE` past {@link MAX_BODY_BYTES}.
 */
export function bodyText(event: ApiEvent): string {
  if (!event.body) {
    return '';
  }
  const raw = event.isBase64Encoded
    ? Buffer.from(event.body, 'base64').toString('utf8')
    : event.body;
  if (Buffer.byteLength(raw) > MAX_BODY_BYTES) {
    throw new WpSyncError(
      'BODY_TOO_LARGE',
      `Bodies are limited to ${MAX_BODY_BYTES} bytes`,
    );
  }
  return raw;
}

/**
 * Parses a JSON body against a schema; strict schemas refuse unknown
 * fields.
 *
 * @throws {ValidationError} for text that is not JSON, or naming each field
 *   that is wrong.
 * @throws {WpSyncError} `BODY_TOO_LARGE` past {@link MAX_BODY_BYTES}.
 */
export function parseBody<T>(event: ApiEvent, schema: z.ZodType<T>): T {
  const raw = bodyText(event);
  let json: unknown;
  try {
    json = raw === '' ? {} : JSON.parse(raw);
  } catch {
    throw new ValidationError('The body is not valid JSON');
  }
  return validated(json, schema, 'The body does not match the request schema');
}

/**
 * Refuses a body on routes that take none (GET, DELETE), so a client that
 * sends one learns it was ignored rather than assuming it was read.
 *
 * @throws {ValidationError} when a body is present.
 */
export function expectNoBody(event: ApiEvent): void {
  if (bodyText(event) !== '') {
    throw new ValidationError('This route takes no request body');
  }
}

/**
 * Parses the query string against a strict schema; routes without query
 * parameters pass an empty strict object, so a typo is an error instead of
 * a silently ignored filter.
 *
 * @throws {ValidationError} naming each parameter that is wrong.
 */
export function parseQuery<T>(event: ApiEvent, schema: z.ZodType<T>): T {
  return validated(
    event.queryStringParameters ?? {},
    schema,
    'The query string does not match the route',
  );
}

/**
 * Parses the path parameters. A malformed id answers exactly as an
 * unknown one, so the answer says nothing about which ids exist.
 *
 * @throws the given `notFound` error when a parameter does not match.
 */
export function parsePath<T>(
  event: ApiEvent,
  schema: z.ZodType<T>,
  notFound: WpSyncError,
): T {
  const parsed = schema.safeParse(event.pathParameters ?? {});
  if (!parsed.success) {
    throw notFound;
  }
  return parsed.data;
}

function validated<T>(value: unknown, schema: z.ZodType<T>, message: string) {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new ValidationError(
      message,
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

/** An answer without a body, such as 204 after a delete. */
export function empty(status: number, correlationId: string): ApiResult {
  return { statusCode: status, headers: { 'x-correlation-id': correlationId } };
}

const STATUS_OF_CODE: Partial<Record<ErrorCode, number>> = {
  VALIDATION_FAILED: 400,
  IDEMPOTENCY_KEY_INVALID: 400,
  UNAUTHENTICATED: 401,
  SITE_NOT_FOUND: 404,
  SYNC_NOT_FOUND: 404,
  SYNC_IN_PROGRESS: 409,
  SYNC_ALREADY_FINISHED: 409,
  IDEMPOTENCY_KEY_IN_USE: 409,
  BODY_TOO_LARGE: 413,
  IDEMPOTENCY_KEY_REUSED: 422,
  WP_URL_NOT_ALLOWED: 422,
  WP_AUTH_NOT_RECEIVED_OR_INVALID: 422,
  WP_AUTH_INVALID: 422,
  WP_AUTH_FORBIDDEN: 422,
  WP_REST_DISABLED: 422,
  WP_REST_NOT_FOUND: 422,
  WP_REST_ROOT_OFF_ORIGIN: 422,
  WP_ROUTE_NOT_FOUND: 422,
  WP_UNREACHABLE: 502,
  WP_TIMEOUT: 504,
};

/**
 * Context fields an answer may carry, by code. Everything else in an
 * error's context (URLs with paths, socket error codes) stays in the logs.
 */
const PUBLIC_CONTEXT: Partial<Record<ErrorCode, readonly string[]>> = {
  SYNC_IN_PROGRESS: ['syncId'],
  SYNC_ALREADY_FINISHED: ['syncId', 'status'],
  WP_URL_NOT_ALLOWED: ['reason'],
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
    return {
      result: json(status, publicBody(error), correlationId),
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

/**
 * One fixed text per not-found code: a message naming the id asked for
 * would be the same for a random and another tenant's id, but a fixed one
 * makes the bodies equal byte for byte.
 */
const NOT_FOUND_MESSAGES: Partial<Record<ErrorCode, string>> = {
  SITE_NOT_FOUND: 'No such site',
  SYNC_NOT_FOUND: 'No such sync',
};

function publicMessage(error: WpSyncError): string {
  if (error.code === 'WP_URL_NOT_ALLOWED') {
    // The guard explains the refusal; the lead says what it means to the
    // tenant in the same words whatever the address class was.
    return `The address is not allowed: ${error.message}`;
  }
  return NOT_FOUND_MESSAGES[error.code] ?? error.message;
}

function publicBody(error: WpSyncError): Record<string, unknown> {
  const body: Record<string, unknown> = {
    code: error.code,
    message: publicMessage(error),
  };
  for (const field of PUBLIC_CONTEXT[error.code] ?? []) {
    if (error.context[field] !== undefined) {
      body[field] = error.context[field];
    }
  }
  if (error instanceof ValidationError) {
    body.issues = error.issues;
  }
  return body;
}
