import { Duration, Validations } from 'aws-cdk-lib';
import type { EventSourceMapping } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { JOB_TYPES, type JobType } from '../../shared/resources.js';
import { WORKERS } from '../../shared/routes.js';
import { workerAccess } from '../access/function-access.js';
import {
  type GrantableResources,
  grantAccess,
} from '../access/grant-access.js';
import { workerServiceName } from '../config/service-names.js';
import type { StageConfig } from '../config/stage-config.js';
import { constructId } from './construct-id.js';
import { HandlerFunction } from './HandlerFunction.js';

/** Properties of {@link SyncWorkers}. */
export interface SyncWorkersProps {
  readonly stage: StageConfig;
  /** The tables, queues and secrets the workers reach. */
  readonly resources: GrantableResources;
}

/**
 * The worker of each job, fed by its queue. A batch reports which records
 * failed, so only those come back; the mapping's maximum concurrency keeps
 * one busy queue from taking the account's whole concurrency (and the
 * tenants' WordPress servers from being hit by hundreds of workers).
 */
export class SyncWorkers extends Construct {
  /** Each job's worker. */
  readonly workers: Readonly<Record<JobType, HandlerFunction>>;
  /** The mapping that feeds each job's worker from its queue. */
  readonly mappings: Readonly<Record<JobType, EventSourceMapping>>;

  constructor(scope: Construct, id: string, props: SyncWorkersProps) {
    super(scope, id);
    const { stage, resources } = props;
    const settings = stage.workers;
    const workers: Partial<Record<JobType, HandlerFunction>> = {};
    const mappings: Partial<Record<JobType, EventSourceMapping>> = {};
    for (const job of JOB_TYPES) {
      const worker = new HandlerFunction(this, constructId(job), {
        handler: WORKERS[job],
        serviceName: workerServiceName(job),
        description: `Works the pages of the ${job} queue`,
        stage,
        timeout: Duration.seconds(stage.timings.workerTimeoutSeconds),
        memorySize: settings.memorySize,
      });
      grantAccess(worker, workerAccess(job), resources);
      const queue = resources.queues[job];
      const mapping = worker.function.addEventSourceMapping('QueueMapping', {
        eventSourceArn: queue.queueArn,
        batchSize: settings.batchSize,
        ...(settings.maxBatchingWindowSeconds > 0 && {
          maxBatchingWindow: Duration.seconds(
            settings.maxBatchingWindowSeconds,
          ),
        }),
        maxConcurrency: settings.maxConcurrency,
        reportBatchItemFailures: true,
      });
      queue.grantConsumeMessages(worker.role);
      Validations.of(mapping).acknowledge({
        id: 'Serverless-LambdaEventSourceMappingDestination',
        reason:
          'SQS mappings take no on-failure destination (only stream and ' +
          'Kafka sources do): a failed record returns to the queue and ' +
          'after maxReceiveCount deliveries moves to its dead-letter queue.',
      });
      workers[job] = worker;
      mappings[job] = mapping;
    }
    this.workers = workers as Record<JobType, HandlerFunction>;
    this.mappings = mappings as Record<JobType, EventSourceMapping>;
  }
}
