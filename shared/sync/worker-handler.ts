/**
 * The Lambda handler of a page worker: one SQS event, many page messages,
 * partial batch failures reported so only failed pages come back.
 */
import {
  BatchProcessor,
  EventType,
  processPartialResponse,
} from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { ValidationError } from '../errors.js';
import { JOB_DIMENSION, METRICS } from '../observability/metric-names.js';
import { createTelemetry } from '../observability/telemetry.js';
import type { JobType } from '../resources.js';
import type { Service } from '../service.js';
import {
  type FinalStatus,
  type PageMessage,
  pageMessageSchema,
} from './model.js';
import { type PageResult, workPage } from './page-worker.js';

/**
 * Builds the handler for one job's queue.
 *
 * Records are worked one after another: the correlation id on the logger
 * and the metrics then always belongs to the record at hand.
 */
export function pageWorkerHandler(job: JobType, service: Service) {
  const { logger, metrics } = createTelemetry(`wp-sync-${job}-worker`);
  const processor = new BatchProcessor(EventType.SQS);

  const workRecord = async (record: SQSRecord): Promise<void> => {
    const message = parseMessage(record, job);
    logger.appendKeys({
      correlationId: message.correlationId,
      syncId: message.syncId,
      siteId: message.siteId,
      resource: message.resource,
      page: message.page,
    });
    metrics.addMetadata('correlationId', message.correlationId);
    metrics.addMetadata('syncId', message.syncId);
    try {
      const receiveCount = Number(record.attributes.ApproximateReceiveCount);
      const result = await workPage(message, receiveCount, {
        syncs: service.syncs,
        items: service.items,
        sites: service.siteAccess,
        policies: service.policies,
        dispatcher: service.dispatcher,
        limiter: service.limiter,
        log: logger,
        wordpress: { ...service.wordpress, logger },
        leaseMs: service.settings.leaseSeconds * 1000,
        maxReceiveCount: service.settings.maxReceiveCount,
        maxDeferSeconds: service.settings.maxDeferSeconds,
        workerId: service.workerId,
        ...(service.checkpoint && { checkpoint: service.checkpoint }),
        heartbeat: {
          visibilitySeconds: service.settings.visibilityTimeoutSeconds,
          extendVisibility: (seconds) =>
            service.dispatcher.extendVisibility(
              job,
              record.receiptHandle,
              seconds,
            ),
        },
      });
      recordResult(message, result);
    } catch (error) {
      metrics.addDimension(JOB_DIMENSION, job);
      metrics.addMetric(METRICS.pagesFailed, MetricUnit.Count, 1);
      throw error;
    } finally {
      metrics.publishStoredMetrics();
      logger.resetKeys();
    }
  };

  const recordResult = (message: PageMessage, result: PageResult): void => {
    metrics.addDimension(JOB_DIMENSION, job);
    if (result.kind === 'done') {
      const { counts, requestMs, upsertMs } = result.outcome;
      logger.info('Page done', { counts, requestMs, upsertMs });
      metrics.addMetric(METRICS.pagesProcessed, MetricUnit.Count, 1);
      metrics.addMetric(METRICS.itemsCreated, MetricUnit.Count, counts.created);
      metrics.addMetric(METRICS.itemsUpdated, MetricUnit.Count, counts.updated);
      metrics.addMetric(METRICS.itemsSkipped, MetricUnit.Count, counts.skipped);
      metrics.addMetric(METRICS.itemsFailed, MetricUnit.Count, counts.failed);
      metrics.addMetric(
        METRICS.embeddingsQueued,
        MetricUnit.Count,
        counts.embeddingsQueued,
      );
      metrics.addMetric(
        METRICS.embeddingsSkipped,
        MetricUnit.Count,
        counts.embeddingsSkipped,
      );
      metrics.addMetric(
        METRICS.wordPressRequestMs,
        MetricUnit.Milliseconds,
        requestMs,
      );
      metrics.addMetric(METRICS.upsertMs, MetricUnit.Milliseconds, upsertMs);
    } else if (result.kind === 'failed') {
      metrics.addMetric(METRICS.pagesFailed, MetricUnit.Count, 1);
    } else if (result.kind === 'deferred') {
      metrics.addMetric(METRICS.pagesDeferred, MetricUnit.Count, 1);
    } else {
      logger.info('Duplicate delivery ignored');
    }
    if (result.closed) {
      // Sync totals are not split by job: publish the job's metrics first,
      // then count the sync once with the same metadata and no job.
      metrics.publishStoredMetrics();
      metrics.addMetadata('correlationId', message.correlationId);
      metrics.addMetadata('syncId', message.syncId);
      metrics.addMetric(SYNC_METRIC[result.closed], MetricUnit.Count, 1);
    }
  };

  return middy(async (event: SQSEvent, context: Context) =>
    processPartialResponse(event, workRecord, processor, {
      context,
      processInParallel: false,
    }),
  ).use(injectLambdaContext(logger));
}

const SYNC_METRIC = {
  completed: METRICS.syncsCompleted,
  completed_with_errors: METRICS.syncsCompletedWithErrors,
  failed: METRICS.syncsFailed,
} as const satisfies Record<FinalStatus, string>;

function parseMessage(record: SQSRecord, job: JobType): PageMessage {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    throw new ValidationError(`Message ${record.messageId} is not JSON`);
  }
  const parsed = pageMessageSchema.safeParse(body);
  if (!parsed.success || parsed.data.job !== job) {
    throw new ValidationError(
      `Message ${record.messageId} is not a ${job} page message`,
    );
  }
  return parsed.data;
}
