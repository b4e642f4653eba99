/**
 * Wraps an API route's logic into a Lambda handler with the project's
 * logging, metrics and error answers.
 */

import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import {
  type ApiEvent,
  type ApiResult,
  correlationIdOf,
  errorAnswer,
  tenantOf,
} from './http.js';

/** What a route's logic receives besides the event. */
export interface RouteContext {
  readonly tenantId: string;
  readonly correlationId: string;
}

/**
 * Builds the handler of one route. The correlation id goes on every log
 * line and on the metrics' metadata (not a dimension: ids would explode
 * CloudWatch's cardinality).
 */
export function apiHandler(
  telemetry: { logger: Logger; metrics: Metrics },
  route: (event: ApiEvent, context: RouteContext) => Promise<ApiResult>,
) {
  const { logger, metrics } = telemetry;
  return middy(async (event: ApiEvent): Promise<ApiResult> => {
    const correlationId = correlationIdOf(event);
    logger.appendKeys({ correlationId });
    metrics.addMetadata('correlationId', correlationId);
    try {
      const tenantId = tenantOf(event);
      logger.appendKeys({ tenantId });
      const result = await route(event, { tenantId, correlationId });
      logger.info('Request answered', {
        route: event.routeKey,
        status: result.statusCode,
      });
      return result;
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
