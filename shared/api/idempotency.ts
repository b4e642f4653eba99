/**
 * `Idempotency-Key` on the API's POSTs, with Powertools Idempotency: a
 * retried request gets the first answer (same status and body) instead of
 * running again.
 *
 * The key is scoped by tenant and route, so two tenants' equal keys (or one
 * tenant's key on two routes) never meet; the body is the payload Powertools
 * validates, so a key reused with another body is refused.
 */
import {
  IdempotencyConfig,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import type { Settings } from '../config.js';
import { WpSyncError } from '../errors.js';
import type { ApiResult } from './http.js';

/** How long a first answer is replayed. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

/** Header (as API Gateway lower-cases it) that carries the client's key. */
export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** Visible ASCII, as the IETF draft and the common APIs accept. */
const KEY = /^[\x21-\x7e]{1,255}$/;

/** What identifies one request and what must stay the same on a retry. */
export interface IdempotentRequest {
  readonly tenantId: string;
  /** `POST /api/wordpress/sites`: a key means something per route only. */
  readonly route: string;
  readonly key: string;
  /** The body as sent; JSON is compared parsed, so key order is no change. */
  readonly body: string;
}

/** What {@link answerOnce} returns. */
export interface IdempotentAnswer {
  readonly result: ApiResult;
  /** True when this is the stored first answer, not a new run. */
  readonly replayed: boolean;
}

/**
 * The persistence layer on the idempotency table of the settings, with its
 * own DynamoDB client (Powertools sends low-level commands).
 */
export function idempotencyStore(settings: Settings): DynamoDBPersistenceLayer {
  return new DynamoDBPersistenceLayer({
    tableName: settings.tables.idempotency,
    awsSdkV3Client: new DynamoDBClient({
      region: settings.region,
      ...(settings.localCredentials && {
        credentials: settings.localCredentials,
      }),
      ...(settings.dynamoDbEndpoint && { endpoint: settings.dynamoDbEndpoint }),
    }),
  });
}

/**
 * The `Idempotency-Key` of a request, if it sent one.
 *
 * @throws {WpSyncError} `IDEMPOTENCY_KEY_INVALID` for an empty, overlong
 *   or non-ASCII key.
 */
export function idempotencyKeyOf(
  headers: Readonly<Record<string, string | undefined>> | undefined,
): string | undefined {
  const key = headers?.[IDEMPOTENCY_HEADER];
  if (key === undefined) {
    return undefined;
  }
  if (!KEY.test(key)) {
    throw new WpSyncError(
      'IDEMPOTENCY_KEY_INVALID',
      'An Idempotency-Key is 1 to 255 visible ASCII characters',
    );
  }
  return key;
}

/**
 * Runs `work` once per request identity and answers retries with its
 * first result. A run that throws stores nothing, so the retry runs again.
 *
 * @throws {WpSyncError} `IDEMPOTENCY_KEY_REUSED` when the key came with a
 *   different body; `IDEMPOTENCY_KEY_IN_USE` while the first run is still
 *   going; whatever `work` throws.
 */
export async function answerOnce(
  request: IdempotentRequest,
  work: () => Promise<ApiResult>,
  deps: { persistence: BasePersistenceLayer; lambdaContext?: Context },
): Promise<IdempotentAnswer> {
  const config = new IdempotencyConfig({
    eventKeyJmesPath: '[tenantId, route, key]',
    payloadValidationJmesPath: 'body',
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: IDEMPOTENCY_TTL_SECONDS,
    // The body hash covers an application password: not MD5.
    hashFunction: 'sha256',
  });
  if (deps.lambdaContext) {
    // Lets Powertools give up on a run that died with its Lambda.
    config.registerLambdaContext(deps.lambdaContext);
  }
  let ran = false;
  const once = makeIdempotent(
    async (_payload: Record<string, unknown>) => {
      ran = true;
      return work();
    },
    { persistenceStore: deps.persistence, config, keyPrefix: 'wp-sync-api' },
  );
  try {
    const result = await once({ ...request, body: comparable(request.body) });
    return { result, replayed: !ran };
  } catch (error) {
    throw ran ? error : translated(error);
  }
}

function comparable(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

function translated(error: unknown): unknown {
  // By name: a second copy of the package would break `instanceof`.
  const name = error instanceof Error ? error.name : '';
  if (name === 'IdempotencyValidationError') {
    return new WpSyncError(
      'IDEMPOTENCY_KEY_REUSED',
      'This Idempotency-Key was used with a different request body',
    );
  }
  if (name === 'IdempotencyAlreadyInProgressError') {
    return new WpSyncError(
      'IDEMPOTENCY_KEY_IN_USE',
      'A request with this Idempotency-Key is still being answered',
      { retryable: true },
    );
  }
  return error;
}
