import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  JOB_DIMENSION,
  METRIC_NAMESPACE,
  METRICS,
} from '../../shared/observability/metric-names.js';
import { JOB_TYPES, QUEUES } from '../../shared/resources.js';
import { ROUTES } from '../../shared/routes.js';
import { dashboardMetrics } from './support/checks/dashboard.js';
import { startFakeDynamo } from './support/fake-dynamodb.js';
import {
  closedPort,
  invokeBundle,
  localEnvironment,
} from './support/run-bundle.js';
import { newOutdir } from './support/synth-stage.js';
import {
  type CfnTemplate,
  namesFromEnvironment,
  propertiesOf,
  resourcesOfType,
} from './support/template.js';

interface BundledFunction {
  readonly logicalId: string;
  readonly bundle: string;
  readonly variables: Record<string, unknown>;
}

let template: CfnTemplate;
let functions: BundledFunction[];
let port: number;

beforeAll(async () => {
  // The real thing: the CLI runs cdk.json's app and bundles with esbuild.
  const outdir = newOutdir();
  await promisify(execFile)(
    'npx',
    ['cdk', 'synth', '-c', 'stage=dev', '--no-notices', '-q', '-o', outdir],
    {
      env: {
        ...process.env,
        CDK_DISABLE_VERSION_CHECK: '1',
        CDK_DISABLE_CLI_TELEMETRY: '1',
      },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  template = JSON.parse(
    readFileSync(join(outdir, 'WpSync-dev.template.json'), 'utf8'),
  );
  functions = resourcesOfType(template, 'AWS::Lambda::Function').map(
    ([logicalId, fn]) => ({
      logicalId,
      bundle: join(
        outdir,
        String(fn.Metadata?.['aws:asset:path']),
        'index.mjs',
      ),
      variables:
        propertiesOf<{ Environment: { Variables: Record<string, unknown> } }>(
          fn,
        ).Environment?.Variables ?? {},
    }),
  );
  port = await closedPort();
}, 180_000);

/** The function whose environment names a handler by its description. */
function functionFor(handler: string): BundledFunction {
  const id = resourcesOfType(template, 'AWS::Lambda::Function').find(
    ([, fn]) => {
      const { Description } = propertiesOf<{ Description: string }>(fn);
      const route = ROUTES.find((r) => r.handler === handler);
      return route
        ? Description === `${route.method} ${route.path}`
        : Description === `Works the pages of the ${handler} queue`;
    },
  )?.[0];
  const found = functions.find((fn) => fn.logicalId === id);
  if (!found) {
    throw new Error(`No bundled function for ${handler}`);
  }
  return found;
}

function apiEvent(routeKey: string) {
  const [method, path] = routeKey.split(' ');
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    requestContext: {
      accountId: '000000000000',
      apiId: 'bundle-test',
      domainName: 'bundle-test.local',
      requestId: 'bundle-test-request',
      routeKey,
      stage: '$default',
      time: '04/Dec/2026:15:00:00 +0000',
      timeEpoch: 1_796_396_400_000,
      http: {
        method,
        path,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'bundle-test',
      },
      // A verified token that names no tenant.
      authorizer: { jwt: { claims: { sub: 'someone' }, scopes: [] } },
    },
    pathParameters: { syncId: `sync_${'0'.repeat(32)}` },
    body: JSON.stringify({}),
    isBase64Encoded: false,
  };
}

function sqsRecord(messageId: string, body: string) {
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1796396400000',
      SenderId: 'bundle-test',
      ApproximateFirstReceiveTimestamp: '1796396400000',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:000000000000:bundle-test',
    awsRegion: 'eu-west-1',
  };
}

describe('bundled handlers', () => {
  test('the CLI synthesizes offline with esbuild, one ESM bundle each', () => {
    expect(functions).toHaveLength(ROUTES.length + JOB_TYPES.length);
    for (const fn of functions) {
      expect(existsSync(fn.bundle), fn.bundle).toBe(true);
    }
  });

  test.each(ROUTES.map((route) => [route.handler, route]))(
    '%s answers 401 to a token without the tenant claim',
    async (handler, route) => {
      // Prepare
      const fn = functionFor(handler);
      const env = localEnvironment(fn.variables, port);

      // Act
      const { result, records } = await invokeBundle(
        fn.bundle,
        apiEvent(`${route.method} ${route.path}`),
        env,
      );

      // Assess
      expect(result).toMatchObject({ statusCode: 401 });
      const body = JSON.parse((result as { body: string }).body);
      expect(body.code).toBe('UNAUTHENTICATED');
      // The service name in the logs is the one the dashboard selects on.
      const refused = records.find((r) => r.message === 'Request refused');
      expect(refused?.service).toBe(fn.variables.POWERTOOLS_SERVICE_NAME);
    },
  );

  test('start-sync reads the tenant from the configured claim', async () => {
    // Prepare
    const fn = functionFor('start-sync');
    const dynamo = await startFakeDynamo(() => ({ ok: {} }));
    const env = localEnvironment(fn.variables, port, dynamo.endpoint);
    const tenantClaim = String(fn.variables.TENANT_CLAIM);
    const event = apiEvent('POST /api/wordpress/sync-all');
    event.requestContext.authorizer.jwt.claims = {
      sub: 'someone',
      [tenantClaim]: 'tenant-bundle-test',
    } as never;
    event.body = JSON.stringify({ siteId: `site_${'3'.repeat(24)}` });

    // Act
    const { result } = await invokeBundle(fn.bundle, event, env).finally(() =>
      dynamo.close(),
    );

    // Assess: the site is looked up for that tenant, in the sites table.
    expect(result).toMatchObject({ statusCode: 404 });
    expect(dynamo.requests).toEqual([
      expect.objectContaining({
        operation: 'GetItem',
        body: expect.objectContaining({
          TableName: env.SITES_TABLE,
          Key: expect.objectContaining({
            tenantId: { S: 'tenant-bundle-test' },
          }),
        }),
      }),
    ]);
  });

  test.each(JOB_TYPES.map((job) => [job]))(
    'the %s worker answers with the failed records of a batch',
    async (job) => {
      // Prepare: the store says one page's sync was removed (a success:
      // nothing to do) and refuses the other.
      const fn = functionFor(job);
      const removed = `sync_${'a'.repeat(32)}`;
      const dynamo = await startFakeDynamo((request) =>
        JSON.stringify(request.body.Key).includes(removed)
          ? { error: 'ConditionalCheckFailedException' }
          : { error: 'ValidationException' },
      );
      const env = localEnvironment(fn.variables, port, dynamo.endpoint);
      const page = (syncId: string) =>
        JSON.stringify({
          v: 1,
          syncId,
          tenantId: 'tenant-bundle-test',
          siteId: `site_${'2'.repeat(24)}`,
          job,
          resource: job === 'terms' ? 'categories' : job,
          page: 1,
          correlationId: 'bundle-test-correlation',
        });
      const event = {
        Records: [
          sqsRecord('malformed', 'not json'),
          sqsRecord('removed', page(removed)),
          sqsRecord('refused', page(`sync_${'b'.repeat(32)}`)),
        ],
      };

      // Act
      const { result, records } = await invokeBundle(
        fn.bundle,
        event,
        env,
      ).finally(() => dynamo.close());

      // Assess
      expect(result).toEqual({
        batchItemFailures: [
          { itemIdentifier: 'malformed' },
          { itemIdentifier: 'refused' },
        ],
      });
      expect(dynamo.requests.map((request) => request.body.TableName)).toEqual([
        env.SYNCS_TABLE,
        env.SYNCS_TABLE,
      ]);
      // The failure metric carries exactly the dimensions the dashboard
      // selects: the worker's service and the job.
      const emf = records.find((r) => r[METRICS.pagesFailed] !== undefined);
      const directive = (
        emf?._aws as {
          CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[];
        }
      )?.CloudWatchMetrics[0];
      expect(directive?.Namespace).toBe(METRIC_NAMESPACE);
      expect(directive?.Dimensions).toEqual([['service', JOB_DIMENSION]]);
      expect(emf?.service).toBe(fn.variables.POWERTOOLS_SERVICE_NAME);
      expect(emf?.[JOB_DIMENSION]).toBe(job);
      expect(dashboardMetrics(template)).toContainEqual(
        expect.objectContaining({
          name: METRICS.pagesFailed,
          dimensions: { service: emf?.service, [JOB_DIMENSION]: job },
        }),
      );
    },
  );

  test('a worker whose whole batch fails throws, so Lambda retries it', async () => {
    // Prepare
    const fn = functionFor('posts');
    const env = localEnvironment(fn.variables, port);

    // Act
    const run = invokeBundle(
      fn.bundle,
      { Records: [sqsRecord('malformed', '{"v":1}')] },
      env,
    );

    // Assess: Powertools' full-batch failure, the record's error with it.
    await expect(run).rejects.toThrow(
      /FullBatchFailureError[\s\S]*Message malformed is not a posts page/,
    );
  });

  test('each worker is wired to its own queue and the embeddings queue', () => {
    const queues = namesFromEnvironment(
      template,
      Object.fromEntries(
        Object.entries(QUEUES).map(([name, queue]) => [queue.envVar, name]),
      ),
    );
    expect(new Set(queues.values())).toEqual(new Set(Object.keys(QUEUES)));
  });
});
