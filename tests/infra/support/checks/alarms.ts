/**
 * Checks that the alarms a person needs exist and notify the topic.
 */
import {
  type CfnTemplate,
  propertiesOf,
  resourcesOfType,
  targetOf,
} from '../template.js';
import { consumedQueueIds } from './mappings.js';
import { deadLetterQueueIds } from './queues.js';

interface MetricSelection {
  Namespace: string;
  MetricName: string;
  Dimensions: { Name: string; Value: unknown }[];
}

interface AlarmProperties extends MetricSelection {
  AlarmActions: unknown[];
  Metrics: { MetricStat?: { Metric: MetricSelection } }[];
}

/**
 * One alarm per dead-letter queue on visible messages, one per consumed
 * queue on the age of its oldest message, and one per worker on its
 * errors against its invocations; each notifies the template's SNS topic.
 */
export function checkAlarms(template: CfnTemplate): string[] {
  const topics = resourcesOfType(template, 'AWS::SNS::Topic').map(([id]) => id);
  if (topics.length !== 1) {
    return [`expected one alarm topic, found ${topics.length}`];
  }
  const alarms = resourcesOfType(template, 'AWS::CloudWatch::Alarm')
    .map(([, alarm]) => propertiesOf<AlarmProperties>(alarm))
    .filter((alarm) =>
      (alarm.AlarmActions ?? []).some(
        (action) => targetOf(action) === topics[0],
      ),
    );
  const watches = (...wanted: Wanted[]) =>
    alarms.some((alarm) =>
      wanted.every((want) => selectionsOf(alarm).some((m) => matches(m, want))),
    );

  const problems: string[] = [];
  for (const queue of deadLetterQueueIds(template)) {
    if (!watches(queueMetric('ApproximateNumberOfMessagesVisible', queue))) {
      problems.push(`no alarm on messages in dead-letter queue ${queue}`);
    }
  }
  for (const queue of consumedQueueIds(template)) {
    if (!watches(queueMetric('ApproximateAgeOfOldestMessage', queue))) {
      problems.push(`no alarm on the oldest message of ${queue}`);
    }
  }
  for (const [, mapping] of resourcesOfType(
    template,
    'AWS::Lambda::EventSourceMapping',
  )) {
    const worker =
      targetOf(propertiesOf<{ FunctionName: unknown }>(mapping).FunctionName) ??
      '';
    // Both in one alarm: a rate, not a count.
    if (
      !watches(
        lambdaMetric('Errors', worker),
        lambdaMetric('Invocations', worker),
      )
    ) {
      problems.push(`no alarm on the error rate of ${worker}`);
    }
  }
  return problems;
}

/** A metric an alarm must select. */
interface Wanted {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimension: string;
  readonly target: string;
}

function queueMetric(metricName: string, queue: string): Wanted {
  return {
    namespace: 'AWS/SQS',
    metricName,
    dimension: 'QueueName',
    target: queue,
  };
}

function lambdaMetric(metricName: string, fn: string): Wanted {
  return {
    namespace: 'AWS/Lambda',
    metricName,
    dimension: 'FunctionName',
    target: fn,
  };
}

/** The alarm's own metric and those of its math expression. */
function selectionsOf(alarm: Partial<AlarmProperties>) {
  return [alarm, ...(alarm.Metrics ?? []).map((m) => m.MetricStat?.Metric)];
}

function matches(
  metric: Partial<MetricSelection> | undefined,
  want: Wanted,
): boolean {
  return (
    metric?.Namespace === want.namespace &&
    metric.MetricName === want.metricName &&
    (metric.Dimensions ?? []).some(
      (d) => d.Name === want.dimension && targetOf(d.Value) === want.target,
    )
  );
}
