import {
  Dashboard,
  GraphWidget,
  type IMetric,
  type IWidget,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS } from '../../shared/observability/metric-names.js';
import { JOB_TYPES, type QueueName } from '../../shared/resources.js';
import {
  apiMetric,
  jobMetric,
  METRIC_PERIOD,
  syncTotal,
} from '../monitoring/app-metrics.js';

/** Properties of {@link SyncDashboard}. */
export interface SyncDashboardProps {
  /** The dashboard's name. */
  readonly dashboardName: string;
  /** The work queues, by name. */
  readonly queues: Readonly<Record<QueueName, IQueue>>;
  /** Their dead-letter queues, by the source queue's name. */
  readonly deadLetterQueues: Readonly<Record<QueueName, IQueue>>;
  /** Every function of the stage, by a label for the charts. */
  readonly functions: Readonly<Record<string, IFunction>>;
}

const WIDE = 12;
const HEIGHT = 6;

/**
 * One dashboard for a stage: what the syncs did (from the handlers' own
 * metrics), how fast WordPress and the store answered, and the health of
 * the queues and functions underneath.
 */
export class SyncDashboard extends Construct {
  /** The dashboard. */
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: SyncDashboardProps) {
    super(scope, id);
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      widgets: [
        [
          new TextWidget({
            markdown:
              `# ${props.dashboardName}\n` +
              'Sync outcomes, items per entity, latencies, queues and ' +
              'functions. Counts are sums per 5 minutes.',
            width: 24,
            height: 2,
          }),
        ],
        [this.syncsWidget(), this.embeddingsWidget()],
        JOB_TYPES.map((job) => this.itemsWidget(job)),
        [
          latencyWidget('WordPress request latency (ms)', 'wordPressRequestMs'),
          latencyWidget('Upsert latency (ms)', 'upsertMs'),
        ],
        queueWidgets(props),
        functionWidgets(props.functions),
      ],
    });
  }

  private syncsWidget(): IWidget {
    return graph('Syncs', [
      apiMetric(METRICS.syncsStarted, { label: 'started' }),
      syncTotal(METRICS.syncsCompleted, { label: 'completed' }),
      syncTotal(METRICS.syncsCompletedWithErrors, {
        label: 'completed with errors',
      }),
      syncTotal(METRICS.syncsFailed, { label: 'failed' }),
    ]);
  }

  private itemsWidget(job: (typeof JOB_TYPES)[number]): IWidget {
    return graph(
      `Items: ${job}`,
      [
        jobMetric(METRICS.itemsCreated, job, { label: 'created' }),
        jobMetric(METRICS.itemsUpdated, job, { label: 'updated' }),
        jobMetric(METRICS.itemsSkipped, job, { label: 'skipped' }),
        jobMetric(METRICS.itemsFailed, job, { label: 'failed' }),
        jobMetric(METRICS.pagesFailed, job, { label: 'pages failed' }),
        jobMetric(METRICS.pagesDeferred, job, { label: 'pages deferred' }),
      ],
      24 / JOB_TYPES.length,
    );
  }

  private embeddingsWidget(): IWidget {
    return graph(
      'Embeddings',
      JOB_TYPES.flatMap((job) => [
        jobMetric(METRICS.embeddingsQueued, job, { label: `queued ${job}` }),
        jobMetric(METRICS.embeddingsSkipped, job, { label: `skipped ${job}` }),
      ]),
    );
  }
}

function latencyWidget(
  title: string,
  metric: 'wordPressRequestMs' | 'upsertMs',
): IWidget {
  return graph(
    title,
    JOB_TYPES.flatMap((job) =>
      ['p50', 'p95'].map((statistic) =>
        jobMetric(METRICS[metric], job, {
          statistic,
          label: `${job} ${statistic}`,
        }),
      ),
    ),
  );
}

function queueWidgets(props: SyncDashboardProps): IWidget[] {
  const queues = Object.entries(props.queues);
  const deadLetters = Object.entries(props.deadLetterQueues);
  return [
    graph(
      'Queue depth (visible messages)',
      queues.map(([name, queue]) =>
        queue.metricApproximateNumberOfMessagesVisible({
          statistic: 'Maximum',
          period: METRIC_PERIOD,
          label: name,
        }),
      ),
      8,
    ),
    graph(
      'Oldest message age (s)',
      queues.map(([name, queue]) =>
        queue.metricApproximateAgeOfOldestMessage({
          statistic: 'Maximum',
          period: METRIC_PERIOD,
          label: name,
        }),
      ),
      8,
    ),
    graph(
      'Dead letters (visible messages)',
      deadLetters.map(([name, queue]) =>
        queue.metricApproximateNumberOfMessagesVisible({
          statistic: 'Maximum',
          period: METRIC_PERIOD,
          label: name,
        }),
      ),
      8,
    ),
  ];
}

function functionWidgets(
  functions: Readonly<Record<string, IFunction>>,
): IWidget[] {
  const entries = Object.entries(functions);
  return [
    graph(
      'Lambda errors',
      entries.map(([label, fn]) =>
        fn.metricErrors({ period: METRIC_PERIOD, label }),
      ),
    ),
    graph(
      'Lambda throttles',
      entries.map(([label, fn]) =>
        fn.metricThrottles({ period: METRIC_PERIOD, label }),
      ),
    ),
  ];
}

function graph(title: string, left: IMetric[], width = WIDE): GraphWidget {
  return new GraphWidget({ title, left, width, height: HEIGHT });
}
