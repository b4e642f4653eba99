/**
 * Reads the metrics off the dashboard body and checks them against the
 * names the code emits (`METRICS`) and the dimensions Powertools adds.
 */
import {
  JOB_DIMENSION,
  METRIC_NAMESPACE,
  METRICS,
} from '../../../../shared/observability/metric-names.js';
import { QUEUES } from '../../../../shared/resources.js';
import {
  type CfnTemplate,
  namesFromEnvironment,
  propertiesOf,
  resourcesOfType,
  targetOf,
} from '../template.js';

/** One metric drawn (or used by an expression) on the dashboard. */
export interface DashboardMetric {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly stat: string | undefined;
}

/**
 * The dashboard's metrics. Tokens in the body (a queue's name, a
 * function's) become `<LogicalId>` so a check can tell which resource a
 * dimension points at.
 */
export function dashboardMetrics(template: CfnTemplate): DashboardMetric[] {
  const dashboards = resourcesOfType(template, 'AWS::CloudWatch::Dashboard');
  return dashboards.flatMap(([, dashboard]) => {
    const body = propertiesOf<{ DashboardBody: unknown }>(
      dashboard,
    ).DashboardBody;
    const widgets = (
      JSON.parse(render(body)) as {
        widgets: { properties?: { metrics?: unknown[][] } }[];
      }
    ).widgets;
    return widgets.flatMap((widget) =>
      (widget.properties?.metrics ?? []).flatMap(parseRow),
    );
  });
}

/**
 * Every metric in the app's namespace is one the code emits, selected by
 * the dimensions it is published with: `service` naming a function of the
 * template (Powertools adds it to every metric), and `Job` only together
 * with the service of the worker that consumes that job's queue.
 */
export function checkDashboardMetrics(template: CfnTemplate): string[] {
  const problems: string[] = [];
  const emitted = new Set<string>(Object.values(METRICS));
  const services = serviceNames(template);
  const workerOfJob = workerServiceByJob(template);
  for (const metric of dashboardMetrics(template)) {
    if (metric.namespace !== METRIC_NAMESPACE) {
      if (!metric.namespace.startsWith('AWS/')) {
        problems.push(`${metric.namespace}/${metric.name}: foreign namespace`);
      }
      continue;
    }
    const label = `${metric.name} ${JSON.stringify(metric.dimensions)}`;
    if (!emitted.has(metric.name)) {
      problems.push(`${label}: no code emits ${metric.name}`);
    }
    const { service, [JOB_DIMENSION]: job, ...others } = metric.dimensions;
    if (!service || !services.has(service)) {
      problems.push(`${label}: service is no function's service name`);
    }
    if (Object.keys(others).length > 0) {
      problems.push(`${label}: dimensions the code never adds`);
    }
    if (job !== undefined && workerOfJob.get(job) !== service) {
      problems.push(
        `${label}: ${job} is published by ${workerOfJob.get(job)} only`,
      );
    }
  }
  return problems;
}

/** Every `POWERTOOLS_SERVICE_NAME` of the template's functions. */
export function serviceNames(template: CfnTemplate): Set<string> {
  return new Set(
    resourcesOfType(template, 'AWS::Lambda::Function').flatMap(([, fn]) => {
      const name = propertiesOf<{
        Environment: { Variables: Record<string, unknown> };
      }>(fn).Environment?.Variables?.POWERTOOLS_SERVICE_NAME;
      return typeof name === 'string' ? [name] : [];
    }),
  );
}

/** The service name of the function consuming each job's queue. */
export function workerServiceByJob(template: CfnTemplate): Map<string, string> {
  const queueNames = namesFromEnvironment(
    template,
    Object.fromEntries(
      Object.entries(QUEUES).map(([name, queue]) => [queue.envVar, name]),
    ),
  );
  const byJob = new Map<string, string>();
  for (const [, mapping] of resourcesOfType(
    template,
    'AWS::Lambda::EventSourceMapping',
  )) {
    const { EventSourceArn, FunctionName } = propertiesOf<{
      EventSourceArn: unknown;
      FunctionName: unknown;
    }>(mapping);
    const job = queueNames.get(targetOf(EventSourceArn) ?? '');
    const fn = template.Resources[targetOf(FunctionName) ?? ''];
    const service = fn
      ? propertiesOf<{ Environment: { Variables: Record<string, unknown> } }>(
          fn,
        ).Environment?.Variables?.POWERTOOLS_SERVICE_NAME
      : undefined;
    if (job && typeof service === 'string') {
      byJob.set(job, service);
    }
  }
  return byJob;
}

function parseRow(row: unknown[]): DashboardMetric[] {
  const [first] = row;
  if (typeof first !== 'string') {
    // A math expression; the metrics it uses are rows of their own.
    return [];
  }
  const last = row.at(-1);
  const options =
    typeof last === 'object' && last !== null
      ? (last as { stat?: string })
      : undefined;
  const fields = (options ? row.slice(0, -1) : row) as string[];
  const [namespace = '', name = '', ...pairs] = fields;
  const dimensions: Record<string, string> = {};
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    dimensions[pairs[i] as string] = pairs[i + 1] as string;
  }
  return [{ namespace, name, dimensions, stat: options?.stat }];
}

/** The body as JSON text, each token replaced by `<LogicalId>`. */
function render(body: unknown): string {
  if (typeof body === 'string') {
    return body;
  }
  const join = (body as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (!join) {
    throw new Error('The dashboard body is neither text nor a join');
  }
  return join[1]
    .map((part) =>
      typeof part === 'string' ? part : `<${targetOf(part) ?? 'token'}>`,
    )
    .join(join[0]);
}
