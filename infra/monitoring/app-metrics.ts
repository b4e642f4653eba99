/**
 * CloudWatch metrics of the handlers' own numbers, named from `METRICS`
 * only and selected with the dimensions Powertools really publishes:
 * `service` (the handler's service name) on every metric, plus `Job` on a
 * worker's page and item metrics.
 */
import { Duration } from 'aws-cdk-lib';
import { MathExpression, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import {
  JOB_DIMENSION,
  METRIC_NAMESPACE,
  type MetricName,
} from '../../shared/observability/metric-names.js';
import { JOB_TYPES, type JobType } from '../../shared/resources.js';
import {
  API_SERVICE_NAME,
  workerServiceName,
} from '../config/service-names.js';

/** The period of every chart and alarm built from these metrics. */
export const METRIC_PERIOD = Duration.minutes(5);

/** How a metric is drawn. */
export interface AppMetricOptions {
  /**
   * CloudWatch statistic, such as `Sum` or `p95`.
   *
   * @default 'Sum'
   */
  readonly statistic?: string;
  /**
   * Legend label.
   *
   * @default - the metric name
   */
  readonly label?: string;
}

/** A metric a job's worker publishes for each page, split by job. */
export function jobMetric(
  name: MetricName,
  job: JobType,
  options: AppMetricOptions = {},
): Metric {
  return new Metric({
    namespace: METRIC_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: workerServiceName(job), [JOB_DIMENSION]: job },
    statistic: options.statistic ?? 'Sum',
    period: METRIC_PERIOD,
    label: options.label ?? `${name} ${job}`,
  });
}

/** A metric the API handlers publish. */
export function apiMetric(
  name: MetricName,
  options: AppMetricOptions = {},
): Metric {
  return new Metric({
    namespace: METRIC_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: API_SERVICE_NAME },
    statistic: options.statistic ?? 'Sum',
    period: METRIC_PERIOD,
    label: options.label ?? name,
  });
}

/**
 * A sync outcome. The worker that finishes the sync's last page publishes
 * it with no `Job` (one sync, one count), so it lands under that worker's
 * service name: the total adds up all four workers.
 */
export function syncTotal(
  name: MetricName,
  options: AppMetricOptions = {},
): MathExpression {
  // Ids are unique per chart, and one chart shows several totals.
  const idOf = (job: JobType) => `${job}${name}`;
  const usingMetrics = Object.fromEntries(
    JOB_TYPES.map((job) => [
      idOf(job),
      new Metric({
        namespace: METRIC_NAMESPACE,
        metricName: name,
        dimensionsMap: { service: workerServiceName(job) },
        statistic: 'Sum',
        period: METRIC_PERIOD,
      }),
    ]),
  );
  return new MathExpression({
    // FILL: a worker that closed no sync in a period has no data point,
    // which would otherwise blank the whole sum.
    expression: JOB_TYPES.map((job) => `FILL(${idOf(job)}, 0)`).join(' + '),
    usingMetrics,
    period: METRIC_PERIOD,
    label: options.label ?? name,
  });
}
