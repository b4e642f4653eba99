import { CfnAuthorizer, CfnRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadStage } from '../../infra/config/load-stage.js';
import type { WpSyncStack } from '../../infra/stacks/WpSyncStack.js';
import { ROUTES } from '../../shared/routes.js';
import { checkAuthorizer, checkThrottles } from './support/checks/api.js';
import { cfnOf } from './support/stack-ids.js';
import { type SynthResult, synthStage } from './support/synth-stage.js';

const REPORT_ROUTE = 'GET /api/wordpress/sync/{syncId}';

let dev: SynthResult;
let prod: SynthResult;

beforeAll(() => {
  dev = synthStage({ stage: 'dev' });
  prod = synthStage({ stage: 'prod' });
});

function routeOf(stack: WpSyncStack, key: string): CfnRoute {
  const route = stack.api.api.node
    .findAll()
    .find(
      (construct): construct is CfnRoute =>
        construct instanceof CfnRoute && construct.routeKey === key,
    );
  if (!route) {
    throw new Error(`No route ${key}`);
  }
  return route;
}

describe('authorizer', () => {
  test("guards every route of ROUTES with the stage's issuer", () => {
    expect(checkAuthorizer(dev.template, loadStage('dev').auth)).toEqual([]);
    expect(checkAuthorizer(prod.template, loadStage('prod').auth)).toEqual([]);
  });

  test('a route opened to anyone is reported', () => {
    // Prepare
    const broken = synthStage({
      stage: 'dev',
      breakWith: (stack) => {
        const route = routeOf(stack, REPORT_ROUTE);
        route.addPropertyOverride('AuthorizationType', 'NONE');
        route.addPropertyDeletionOverride('AuthorizerId');
      },
    });

    // Act
    const problems = checkAuthorizer(broken.template, loadStage('dev').auth);

    // Assess
    expect(problems).toEqual([`${REPORT_ROUTE} is not behind a JWT`]);
  });

  test("an authorizer trusting another stage's issuer is reported", () => {
    // Prepare
    const broken = synthStage({
      stage: 'prod',
      breakWith: (stack) => {
        const authorizer = stack.api.api.node
          .findAll()
          .find((construct) => construct instanceof CfnAuthorizer);
        (authorizer as CfnAuthorizer).addPropertyOverride(
          'JwtConfiguration.Issuer',
          loadStage('dev').auth.issuer,
        );
      },
    });

    // Act
    const problems = checkAuthorizer(broken.template, loadStage('prod').auth);

    // Assess: every route goes through the one authorizer.
    expect(problems).toHaveLength(ROUTES.length);
    expect(problems).toContain(
      `${REPORT_ROUTE} trusts another issuer, audience or header`,
    );
  });
});

describe('throttles', () => {
  test('the stage and each route are throttled as configured', () => {
    expect(checkThrottles(dev.template, loadStage('dev').api)).toEqual([]);
    expect(checkThrottles(prod.template, loadStage('prod').api)).toEqual([]);
  });

  test('routes without their own throttle are reported', () => {
    // Prepare
    const broken = synthStage({
      stage: 'dev',
      breakWith: (stack) =>
        cfnOf(stack.api.defaultStage).addPropertyDeletionOverride(
          'RouteSettings',
        ),
    });

    // Act
    const problems = checkThrottles(broken.template, loadStage('dev').api);

    // Assess
    expect(problems).toEqual(
      ROUTES.map(
        (route) =>
          `${route.method} ${route.path} is not throttled as configured`,
      ),
    );
  });
});

describe('outputs', () => {
  test('name the API URL and the dashboard', () => {
    const outputs = dev.template.Outputs ?? {};
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining(['ApiUrl', 'DashboardName', 'DashboardUrl']),
    );
    expect(JSON.stringify(outputs.DashboardUrl?.Value)).toContain(
      '#dashboards/dashboard/',
    );
  });
});
