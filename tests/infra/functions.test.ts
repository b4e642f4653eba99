import { beforeAll, describe, expect, test } from 'vitest';
import { loadStage } from '../../infra/config/load-stage.js';
import type { StageConfig } from '../../infra/config/stage-config.js';
import { METRIC_NAMESPACE } from '../../shared/observability/metric-names.js';
import { TABLES } from '../../shared/resources.js';
import { ROUTES } from '../../shared/routes.js';
import { functionIds } from './support/stack-ids.js';
import { type SynthResult, synthStage } from './support/synth-stage.js';
import {
  type CfnResource,
  propertiesOf,
  targetOf,
} from './support/template.js';

interface FunctionProperties {
  Runtime: string;
  Architectures: string[];
  Timeout: number;
  MemorySize: number;
  TracingConfig: { Mode: string };
  LoggingConfig: { LogFormat: string; LogGroup: unknown };
  Environment: { Variables: Record<string, unknown> };
}

let dev: SynthResult;
let stage: StageConfig;

beforeAll(() => {
  dev = synthStage({ stage: 'dev' });
  stage = loadStage('dev');
});

function functionsOf(result: SynthResult): [string, CfnResource][] {
  return Object.entries(functionIds(result.stack)).map(([handler, id]) => [
    handler,
    result.template.Resources[id] as CfnResource,
  ]);
}

const isApi = (handler: string) =>
  ROUTES.some((route) => route.handler === handler);

describe('handler functions', () => {
  test('run on nodejs24.x, ARM64, traced, with JSON logs kept a while', () => {
    for (const [handler, fn] of functionsOf(dev)) {
      const properties = propertiesOf<FunctionProperties>(fn);
      expect(properties.Runtime, handler).toBe('nodejs24.x');
      expect(properties.Architectures, handler).toEqual(['arm64']);
      expect(properties.TracingConfig?.Mode, handler).toBe('Active');
      expect(properties.LoggingConfig?.LogFormat, handler).toBe('JSON');
      const logGroup =
        dev.template.Resources[
          targetOf(properties.LoggingConfig?.LogGroup) ?? ''
        ];
      expect(logGroup?.Properties?.RetentionInDays, handler).toBe(
        stage.logs.retention,
      );
    }
  });

  test("get the stage's timeouts", () => {
    for (const [handler, fn] of functionsOf(dev)) {
      expect(propertiesOf<FunctionProperties>(fn).Timeout, handler).toBe(
        isApi(handler)
          ? stage.timings.apiTimeoutSeconds
          : stage.timings.workerTimeoutSeconds,
      );
    }
  });

  test('get the configuration the handlers read', () => {
    for (const [handler, fn] of functionsOf(dev)) {
      const variables =
        propertiesOf<FunctionProperties>(fn).Environment?.Variables ?? {};
      expect(variables, handler).toMatchObject({
        STAGE: 'dev',
        SECRET_STORE: 'secretsmanager',
        SECRET_PREFIX: 'wp-sync/dev',
        ALLOW_LOCAL_ORIGINS: 'false',
        MAX_RECEIVE_COUNT: String(stage.timings.maxReceiveCount),
        MAX_DEFER_SECONDS: String(stage.timings.maxDeferSeconds),
        LEASE_SECONDS: String(stage.timings.leaseSeconds),
        POWERTOOLS_METRICS_NAMESPACE: METRIC_NAMESPACE,
        NODE_OPTIONS: '--enable-source-maps',
      });
      for (const table of Object.values(TABLES)) {
        expect(targetOf(variables[table.envVar]), table.envVar).toBeDefined();
      }
      if (isApi(handler)) {
        expect(variables.TENANT_CLAIM).toBe(stage.auth.tenantClaim);
      }
    }
  });

  test.each([
    ['ALLOW_LOCAL_ORIGINS', 'true'],
    ['WP_SYNC_CRASH_PLAN', '{}'],
    ['SECRET_STORE', 'file'],
    ['DYNAMODB_ENDPOINT', 'http://127.0.0.1:8000'],
  ])('refuse %s=%s, a local runtime setting, at synthesis', (name, value) => {
    expect(() =>
      synthStage({
        stage: 'dev',
        breakWith: (stack) =>
          stack.api.handlers['register-site'].function.addEnvironment(
            name,
            value,
          ),
      }),
    ).toThrow(
      new RegExp(`RegisterSite\\] ${name} .* for the local runtime only`),
    );
  });
});
