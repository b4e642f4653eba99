/**
 * The error hierarchy of wp-sync.
 *
 * Every failure a user can meet carries a `code` they can act on. Codes are
 * stable strings: reports, API answers and logs carry them unchanged.
 */

/** Codes for faults of a WordPress site or of the way we reach it. */
export type WordPressErrorCode =
  /** `users/me` says we are not logged in: wrong password or header stripped. */
  | 'WP_AUTH_NOT_RECEIVED_OR_INVALID'
  /** WordPress named the credentials wrong (`incorrect_password`, ...). */
  | 'WP_AUTH_INVALID'
  /** The user exists but may not read what a sync needs. */
  | 'WP_AUTH_FORBIDDEN'
  /** A plugin turned the REST API off. */
  | 'WP_REST_DISABLED'
  /** No REST API was found at the site. */
  | 'WP_REST_NOT_FOUND'
  /** The REST root lives on another origin than the site. */
  | 'WP_REST_ROOT_OFF_ORIGIN'
  /** A route we need does not exist on this site. */
  | 'WP_ROUTE_NOT_FOUND'
  /** The body is not the JSON shape the request expects. */
  | 'WP_BAD_RESPONSE'
  /** The body exceeded the configured size cap. */
  | 'WP_RESPONSE_TOO_LARGE'
  /** No answer within the configured time. */
  | 'WP_TIMEOUT'
  /** The connection failed or was reset. */
  | 'WP_UNREACHABLE'
  /** The site answered 429 or a host rate limit page. */
  | 'WP_RATE_LIMITED'
  /** The site is in maintenance or answered another 5xx. */
  | 'WP_UNAVAILABLE'
  /** One or more items of a page fail to render on the server. */
  | 'WP_ITEM_RENDER_FAILED'
  /** WordPress rejected a request parameter. */
  | 'WP_BAD_REQUEST'
  /** The site URL is not one we may reach. */
  | 'WP_URL_NOT_ALLOWED';

/** Codes for faults inside wp-sync or of its input. */
export type SyncErrorCode =
  | 'ITEM_INVALID'
  | 'ITEM_TOO_LARGE'
  | 'SITE_NOT_FOUND'
  | 'SYNC_NOT_FOUND'
  | 'SYNC_IN_PROGRESS'
  /** The tenant cancelled the sync; it is closed as `failed`. */
  | 'SYNC_CANCELLED'
  /** The sync already ended, so it cannot be cancelled any more. */
  | 'SYNC_ALREADY_FINISHED'
  | 'VALIDATION_FAILED'
  /** The request body is larger than any route accepts. */
  | 'BODY_TOO_LARGE'
  /** The `Idempotency-Key` header is empty, too long or not plain ASCII. */
  | 'IDEMPOTENCY_KEY_INVALID'
  /** The `Idempotency-Key` was used before with a different request body. */
  | 'IDEMPOTENCY_KEY_REUSED'
  /** The first request with this `Idempotency-Key` is still running. */
  | 'IDEMPOTENCY_KEY_IN_USE'
  | 'UNAUTHENTICATED'
  | 'SECRET_NOT_FOUND'
  | 'CONFIG_INVALID'
  | 'STORE_THROTTLED'
  /** Every fetch slot of the site is taken by other workers. */
  | 'SITE_BUSY'
  | 'INTERNAL';

export type ErrorCode = WordPressErrorCode | SyncErrorCode;

/** Fields that help a reader act on an error; never secrets. */
export interface ErrorContext {
  readonly [key: string]: string | number | boolean | undefined | number[];
}

/** Base of every error wp-sync raises on purpose. */
export class WpSyncError extends Error {
  readonly code: ErrorCode;
  /** Whether trying the same thing again later may succeed. */
  readonly retryable: boolean;
  readonly context: ErrorContext;

  constructor(
    code: ErrorCode,
    message: string,
    options: {
      retryable?: boolean;
      context?: ErrorContext;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'WpSyncError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.context = options.context ?? {};
  }
}

/** A fault of the WordPress site or of the way to it. */
export class WordPressError extends WpSyncError {
  /** HTTP status WordPress answered, when it answered. */
  readonly status: number | undefined;
  /** Seconds WordPress asked us to wait, from `Retry-After`. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: WordPressErrorCode,
    message: string,
    options: {
      retryable?: boolean;
      context?: ErrorContext;
      cause?: unknown;
      status?: number;
      retryAfterSeconds?: number;
    } = {},
  ) {
    super(code, message, options);
    this.name = 'WordPressError';
    this.status = options.status;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** Input that does not match what an API or a record requires. */
export class ValidationError extends WpSyncError {
  readonly issues: readonly { path: string; message: string }[];

  constructor(
    message: string,
    issues: readonly { path: string; message: string }[] = [],
  ) {
    super('VALIDATION_FAILED', message);
    this.name = 'ValidationError';
    this.issues = issues;
  }
}

/** Narrows an unknown thrown value to an `Error`. */
export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
