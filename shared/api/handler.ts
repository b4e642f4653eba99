/**
 * Wraps an API route's logic into a Lambda handler with the project's
 * logging, metrics, idempotency and error answers.
 */
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';

import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import {
  type ApiEvent,
  type ApiResult,
  bodyText,
  correlationIdOf,
  errorAnswer,
  tenantOf,
} from './http.js';
import { answerOnce, idempotencyKeyOf } from './idempotency.js';

/** What a route's logic receives besides the event. */
export interface RouteContext {
  readonly tenantId: string;
  readonly correlationId: string;
}

/** Options of {@link apiHandler}. */
export interface ApiHandlerOptions {
  /**
   * Where POSTs with an `Idempotency-Key` keep their first answer; without
   * it the header is ignored.
   *
   * @default - no idempotency
   */
  readonly idempotency?: BasePersistenceLayer;
}

/**
 * Builds the handler of one route. The correlation id goes on every log
 * line and on the metrics' metadata (not a dimension: ids would explode
 * CloudWatch's cardinality).
 */
export function apiHandler(
  telemetry: { logger: Logger; metrics: Metrics },
  route: (event: ApiEvent, context: RouteContext) => Promise<ApiResult>,
  options: ApiHandlerOptions = {},
) {
  const { logger, metrics } = telemetry;
  return middy(async (event: ApiEvent, lambda: Context): Promise<ApiResult> => {
    const correlationId = correlationIdOf(event);
    logger.appendKeys({ correlationId });
    metrics.addMetadata('correlationId', correlationId);
    try {
      const tenantId = tenantOf(event);
      logger.appendKeys({ tenantId });
      const { result, replayed } = await answer(
        { event, lambda, tenantId },
        options,
        () => route(event, { tenantId, correlationId }),
      );
      logger.info('Request answered', {
        route: event.routeKey,
        status: result.statusCode,
        ...(replayed && { idempotentReplay: true }),
      });
      return replayed
        ? // The first answer's status and body; this request's correlation id.
          {
            ...result,
            headers: {
              ...result.headers,
              'x-correlation-id': correlationId,
              'idempotent-replayed': 'true',
            },
          }
        : result;
    } catch (error) {
      const { result, unexpected } = errorAnswer(error, correlationId);
      const fields = { route: event.routeKey, status: result.statusCode };
      if (unexpected) {
        logger.error('Request failed', { ...fields, error });
      } else {
        // An expected refusal: its code and message say all, no stack.
        logger.info('Request refused', {
          ...fields,
          code: (error as { code?: string }).code,
          reason: (error as Error).message,
        });
      }
      return result;
    }
  })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics));
}

/** Runs the route, or replays its first answer for a repeated key. */
async function answer(
  request: { event: ApiEvent; lambda: Context; tenantId: string },
  options: ApiHandlerOptions,
  run: () => Promise<ApiResult>,
): Promise<{ result: ApiResult; replayed: boolean }> {
  const { event, lambda, tenantId } = request;
  const key =
    options.idempotency && event.requestContext.http.method === 'POST'
      ? idempotencyKeyOf(event.headers)
      : undefined;
  if (!options.idempotency || key === undefined) {
    return { result: await run(), replayed: false };
  }
  return answerOnce(
    {
      tenantId,
      route: event.routeKey,
      key,
      body: bodyText(event),
    },
    run,
    { persistence: options.idempotency, lambdaContext: lambda },
  );
}
