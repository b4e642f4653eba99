import { GraphWidget, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  JOB_DIMENSION,
  METRIC_NAMESPACE,
  METRICS,
} from '../../shared/observability/metric-names.js';
import { JOB_TYPES, QUEUES } from '../../shared/resources.js';
import { checkAlarms } from './support/checks/alarms.js';
import {
  checkDashboardMetrics,
  type DashboardMetric,
  dashboardMetrics,
  workerServiceByJob,
} from './support/checks/dashboard.js';
import { logicalId } from './support/stack-ids.js';
import { type SynthResult, synthStage } from './support/synth-stage.js';
import { resourcesOfType } from './support/template.js';

let dev: SynthResult;
let metrics: DashboardMetric[];

beforeAll(() => {
  dev = synthStage({ stage: 'dev' });
  metrics = dashboardMetrics(dev.template);
});

const appMetric = (name: string, job?: string) =>
  metrics.filter(
    (metric) =>
      metric.namespace === METRIC_NAMESPACE &&
      metric.name === name &&
      metric.dimensions[JOB_DIMENSION] === job,
  );

describe('dashboard', () => {
  test('draws only metrics the code emits, with their real dimensions', () => {
    expect(checkDashboardMetrics(dev.template)).toEqual([]);
  });

  test('a metric no code emits, or one without service, is reported', () => {
    // Prepare
    const broken = synthStage({
      stage: 'dev',
      breakWith: (stack) =>
        stack.dashboard.dashboard.addWidgets(
          new GraphWidget({
            left: [
              new Metric({
                namespace: METRIC_NAMESPACE,
                metricName: 'ItemsDeleted',
                dimensionsMap: {
                  service: 'wp-sync-terms-worker',
                  [JOB_DIMENSION]: 'terms',
                },
              }),
              // Powertools adds `service` to every metric: without it the
              // chart stays empty.
              new Metric({
                namespace: METRIC_NAMESPACE,
                metricName: METRICS.itemsCreated,
                dimensionsMap: { [JOB_DIMENSION]: 'terms' },
              }),
            ],
          }),
        ),
    });

    // Act
    const problems = checkDashboardMetrics(broken.template);

    // Assess
    expect(problems).toEqual([
      'ItemsDeleted {"Job":"terms","service":"wp-sync-terms-worker"}: ' +
        'no code emits ItemsDeleted',
      'ItemsCreated {"Job":"terms"}: service is no function\'s service name',
      'ItemsCreated {"Job":"terms"}: terms is published by ' +
        'wp-sync-terms-worker only',
    ]);
  });

  test('shows sync outcomes, summed over the workers that close syncs', () => {
    expect(appMetric(METRICS.syncsStarted)).toHaveLength(1);
    for (const name of [
      METRICS.syncsCompleted,
      METRICS.syncsCompletedWithErrors,
      METRICS.syncsFailed,
    ]) {
      expect(
        appMetric(name)
          .map((m) => m.dimensions.service)
          .sort(),
      ).toEqual([...workerServiceByJob(dev.template).values()].sort());
    }
  });

  test('shows items, latencies and embeddings per entity', () => {
    for (const job of JOB_TYPES) {
      for (const name of [
        METRICS.itemsCreated,
        METRICS.itemsUpdated,
        METRICS.itemsSkipped,
        METRICS.itemsFailed,
        METRICS.embeddingsQueued,
        METRICS.embeddingsSkipped,
      ]) {
        expect(appMetric(name, job), `${name} ${job}`).toHaveLength(1);
      }
      for (const name of [METRICS.wordPressRequestMs, METRICS.upsertMs]) {
        expect(
          appMetric(name, job)
            .map((m) => m.stat)
            .sort(),
        ).toEqual(['p50', 'p95']);
      }
    }
  });

  test('shows every queue, dead-letter queue and function', () => {
    const queueDimensions = (name: string) =>
      metrics
        .filter((m) => m.namespace === 'AWS/SQS' && m.name === name)
        .map((m) => m.dimensions.QueueName);
    const { queues, deadLetterQueues } = dev.stack.work;
    const ids = (record: Readonly<Record<string, IConstruct>>) =>
      Object.values(record).map((queue) => `<${logicalId(queue)}>`);
    expect(
      queueDimensions('ApproximateNumberOfMessagesVisible').sort(),
    ).toEqual([...ids(queues), ...ids(deadLetterQueues)].sort());
    expect(queueDimensions('ApproximateAgeOfOldestMessage')).toHaveLength(
      Object.keys(QUEUES).length,
    );
    for (const name of ['Errors', 'Throttles']) {
      expect(
        metrics.filter((m) => m.namespace === 'AWS/Lambda' && m.name === name),
      ).toHaveLength(
        resourcesOfType(dev.template, 'AWS::Lambda::Function').length,
      );
    }
  });
});

describe('alarms', () => {
  test('watch dead letters, stuck queues and worker errors', () => {
    expect(checkAlarms(dev.template)).toEqual([]);
  });

  test('a missing alarm is reported', () => {
    // Prepare
    const broken = synthStage({
      stage: 'dev',
      breakWith: (stack) => {
        stack.alarms.node.tryRemoveChild('PagesDeadLetters');
        stack.alarms.node.tryRemoveChild('MediaOldestMessage');
        stack.alarms.node.tryRemoveChild('PostsWorkerErrorRate');
      },
    });
    const { work, workers } = broken.stack;

    // Act
    const problems = checkAlarms(broken.template);

    // Assess
    expect(problems).toEqual([
      `no alarm on messages in dead-letter queue ${logicalId(work.deadLetterQueues.pages)}`,
      `no alarm on the oldest message of ${logicalId(work.queues.media)}`,
      `no alarm on the error rate of ${logicalId(workers.workers.posts.function)}`,
    ]);
  });
});
