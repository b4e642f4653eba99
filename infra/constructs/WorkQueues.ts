import { Duration, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { QUEUES, type QueueName } from '../../shared/resources.js';
import type { StageConfig } from '../config/stage-config.js';
import { constructId } from './construct-id.js';

/** Properties of {@link WorkQueues}. */
export interface WorkQueuesProps {
  /** Visibility timeout and deliveries before dead-lettering. */
  readonly timings: StageConfig['timings'];
}

/**
 * One SQS queue per entry of `QUEUES` (a job's pages, and the embedding
 * requests), each with its own dead-letter queue. All are encrypted with
 * SQS-managed keys and refuse requests that do not use TLS.
 */
export class WorkQueues extends Construct {
  /** Each queue, by its name in `QUEUES`. */
  readonly queues: Readonly<Record<QueueName, Queue>>;
  /** Each queue's dead-letter queue, by the name of its source queue. */
  readonly deadLetterQueues: Readonly<Record<QueueName, Queue>>;

  constructor(scope: Construct, id: string, props: WorkQueuesProps) {
    super(scope, id);
    const queues: Partial<Record<QueueName, Queue>> = {};
    const deadLetterQueues: Partial<Record<QueueName, Queue>> = {};
    for (const name of Object.keys(QUEUES) as QueueName[]) {
      const base = constructId(name);
      const deadLetters = new Queue(this, `${base}DeadLetters`, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        // The longest SQS keeps a message: time to find the cause and
        // redrive before anything is lost.
        retentionPeriod: Duration.days(14),
      });
      queues[name] = new Queue(this, base, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        visibilityTimeout: Duration.seconds(
          props.timings.visibilityTimeoutSeconds,
        ),
        // A dead-lettered message keeps its original enqueue time, so the
        // dead letters must keep messages longer than the source does.
        retentionPeriod: Duration.days(4),
        deadLetterQueue: {
          queue: deadLetters,
          maxReceiveCount: props.timings.maxReceiveCount,
        },
      });
      Validations.of(deadLetters).acknowledge({
        id: 'Serverless-SQSRedrivePolicy',
        reason:
          `This is the dead-letter queue of the ${name} queue: its ` +
          'messages wait here for a person and a redrive, and a further ' +
          'dead-letter queue would only move them again.',
      });
      deadLetterQueues[name] = deadLetters;
    }
    this.queues = queues as Record<QueueName, Queue>;
    this.deadLetterQueues = deadLetterQueues as Record<QueueName, Queue>;
  }
}
