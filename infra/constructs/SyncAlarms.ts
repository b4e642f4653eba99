import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  MathExpression,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { JobType, QueueName } from '../../shared/resources.js';
import type { StageConfig } from '../config/stage-config.js';
import { METRIC_PERIOD } from '../monitoring/app-metrics.js';
import { constructId } from './construct-id.js';

/** Properties of {@link SyncAlarms}. */
export interface SyncAlarmsProps {
  readonly stage: StageConfig;
  /** Prefix of the alarm names, such as `wp-sync-dev`. */
  readonly namePrefix: string;
  /** The work queues, by name. */
  readonly queues: Readonly<Record<QueueName, IQueue>>;
  /** Their dead-letter queues, by the source queue's name. */
  readonly deadLetterQueues: Readonly<Record<QueueName, IQueue>>;
  /** Each job's worker. */
  readonly workers: Readonly<Record<JobType, IFunction>>;
}

const CLOUDWATCH = new ServicePrincipal('cloudwatch.amazonaws.com');

/**
 * Alarms that need a person, sent to one SNS topic: a message in any
 * dead-letter queue, a page queue whose oldest message is too old, and a
 * worker whose invocations fail too often.
 */
export class SyncAlarms extends Construct {
  /** The topic every alarm notifies; subscribe on-call to it. */
  readonly topic: Topic;
  /** Every alarm, by construct id. */
  readonly alarms: Readonly<Record<string, Alarm>>;

  constructor(scope: Construct, id: string, props: SyncAlarmsProps) {
    super(scope, id);
    this.topic = this.buildTopic(props.stage);
    const action = new SnsAction(this.topic);
    const alarms: Record<string, Alarm> = {};
    const add = (alarmId: string, alarm: Alarm): void => {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      alarms[alarmId] = alarm;
    };

    for (const [name, queue] of entries(props.deadLetterQueues)) {
      const alarmId = `${constructId(name)}DeadLetters`;
      add(
        alarmId,
        new Alarm(this, alarmId, {
          alarmName: `${props.namePrefix}-${name}-dead-letters`,
          alarmDescription:
            `Messages of the ${name} queue gave up after ` +
            `${props.stage.timings.maxReceiveCount} deliveries. Find the ` +
            'cause in the worker logs, then redrive (see "Deploying to AWS" in README.md).',
          metric: queue.metricApproximateNumberOfMessagesVisible({
            statistic: 'Maximum',
            period: Duration.minutes(1),
          }),
          threshold: 1,
          comparisonOperator:
            ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }

    for (const [job, worker] of entries(props.workers)) {
      const ageId = `${constructId(job)}OldestMessage`;
      add(
        ageId,
        new Alarm(this, ageId, {
          alarmName: `${props.namePrefix}-${job}-oldest-message`,
          alarmDescription:
            `A page of the ${job} queue has waited more than ` +
            `${props.stage.alarms.oldestMessageAgeSeconds} s: the worker ` +
            'is stuck, throttled or failing.',
          metric: props.queues[job].metricApproximateAgeOfOldestMessage({
            statistic: 'Maximum',
            period: METRIC_PERIOD,
          }),
          threshold: props.stage.alarms.oldestMessageAgeSeconds,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );

      const errorsId = `${constructId(job)}WorkerErrorRate`;
      add(
        errorsId,
        new Alarm(this, errorsId, {
          alarmName: `${props.namePrefix}-${job}-worker-error-rate`,
          alarmDescription:
            `More than ${props.stage.alarms.workerErrorRatePercent}% of ` +
            `the ${job} worker's invocations failed: crashes, timeouts, and ` +
            'batches whose every page failed (a site down, the store ' +
            'refusing); single failed pages are reported per record.',
          metric: new MathExpression({
            expression:
              'IF(invocations > 0, 100 * FILL(errors, 0) / invocations, 0)',
            usingMetrics: {
              errors: worker.metricErrors({ period: METRIC_PERIOD }),
              invocations: worker.metricInvocations({ period: METRIC_PERIOD }),
            },
            period: METRIC_PERIOD,
            label: `${job} worker error rate (%)`,
          }),
          threshold: props.stage.alarms.workerErrorRatePercent,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 2,
          datapointsToAlarm: 2,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    this.alarms = alarms;
  }

  private buildTopic(stage: StageConfig): Topic {
    // CloudWatch can publish to an encrypted topic only with a customer
    // managed key whose policy lets it; the AWS managed SNS key does not.
    const key = new Key(this, 'TopicKey', {
      description: `Encrypts wp-sync ${stage.stage} alarm notifications`,
      enableKeyRotation: true,
      removalPolicy: stage.retainData
        ? RemovalPolicy.RETAIN
        : RemovalPolicy.DESTROY,
    });
    key.grant(CLOUDWATCH, 'kms:Decrypt', 'kms:GenerateDataKey*');
    const topic = new Topic(this, 'Topic', {
      displayName: `wp-sync ${stage.stage} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    const { account, region, partition } = Stack.of(this);
    topic.addToResourcePolicy(
      new PolicyStatement({
        principals: [CLOUDWATCH],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': account },
          ArnLike: {
            'aws:SourceArn': `arn:${partition}:cloudwatch:${region}:${account}:alarm:*`,
          },
        },
      }),
    );
    return topic;
  }
}

function entries<K extends string, V>(record: Readonly<Record<K, V>>) {
  return Object.entries(record) as [K, V][];
}
