/**
 * Checks of the HTTP API: its routes, the JWT authorizer on each, and the
 * throttles.
 */
import type { StageConfig } from '../../../../infra/config/stage-config.js';
import { ROUTES } from '../../../../shared/routes.js';
import {
  type CfnTemplate,
  propertiesOf,
  resourcesOfType,
  targetOf,
} from '../template.js';

interface AuthorizerProperties {
  AuthorizerType: string;
  IdentitySource: string[];
  JwtConfiguration: { Issuer: string; Audience: string[] };
}

interface RouteProperties {
  RouteKey: string;
  AuthorizationType: string;
  AuthorizerId: unknown;
}

interface Throttle {
  ThrottlingRateLimit: number;
  ThrottlingBurstLimit: number;
}

const routeKeys = ROUTES.map((route) => `${route.method} ${route.path}`);

/**
 * The API has exactly the routes of `ROUTES`, and each is guarded by a
 * JWT authorizer that reads the bearer token and trusts only the stage's
 * issuer and audience.
 */
export function checkAuthorizer(
  template: CfnTemplate,
  auth: StageConfig['auth'],
): string[] {
  const problems: string[] = [];
  const authorizers = new Map(
    resourcesOfType(template, 'AWS::ApiGatewayV2::Authorizer'),
  );
  const routes = resourcesOfType(template, 'AWS::ApiGatewayV2::Route');
  for (const [id, route] of routes) {
    const properties = propertiesOf<RouteProperties>(route);
    const authorizer = authorizers.get(targetOf(properties.AuthorizerId) ?? '');
    if (properties.AuthorizationType !== 'JWT' || !authorizer) {
      problems.push(`${properties.RouteKey ?? id} is not behind a JWT`);
      continue;
    }
    const jwt = propertiesOf<AuthorizerProperties>(authorizer);
    if (
      jwt.AuthorizerType !== 'JWT' ||
      jwt.JwtConfiguration?.Issuer !== auth.issuer ||
      JSON.stringify(jwt.JwtConfiguration?.Audience) !==
        JSON.stringify(auth.audience) ||
      JSON.stringify(jwt.IdentitySource) !==
        JSON.stringify(['$request.header.Authorization'])
    ) {
      problems.push(
        `${properties.RouteKey} trusts another issuer, audience or header`,
      );
    }
  }
  const present = routes.map(
    ([, route]) => propertiesOf<RouteProperties>(route).RouteKey,
  );
  for (const key of routeKeys) {
    if (!present.includes(key)) {
      problems.push(`${key} is missing`);
    }
  }
  for (const key of present) {
    if (!key || !routeKeys.includes(key)) {
      problems.push(`${key} is not in ROUTES`);
    }
  }
  return problems;
}

/**
 * The stage throttles every route: a default for the stage, and on each
 * route by its key the stage config's limits for it or the default.
 */
export function checkThrottles(
  template: CfnTemplate,
  api: StageConfig['api'],
): string[] {
  const stages = resourcesOfType(template, 'AWS::ApiGatewayV2::Stage');
  if (stages.length !== 1 || !stages[0]) {
    return [`expected one API stage, found ${stages.length}`];
  }
  const properties = propertiesOf<{
    DefaultRouteSettings: Throttle;
    RouteSettings: Record<string, Throttle>;
  }>(stages[0][1]);
  const problems: string[] = [];
  const expectDefault: Throttle = {
    ThrottlingRateLimit: api.defaultThrottle.rateLimit,
    ThrottlingBurstLimit: api.defaultThrottle.burstLimit,
  };
  if (!sameThrottle(properties.DefaultRouteSettings, expectDefault)) {
    problems.push('the stage has no default throttle');
  }
  for (const route of ROUTES) {
    const key = `${route.method} ${route.path}`;
    const limits = api.routeThrottles[route.handler] ?? api.defaultThrottle;
    const expected: Throttle = {
      ThrottlingRateLimit: limits.rateLimit,
      ThrottlingBurstLimit: limits.burstLimit,
    };
    if (!sameThrottle(properties.RouteSettings?.[key], expected)) {
      problems.push(`${key} is not throttled as configured`);
    }
  }
  return problems;
}

function sameThrottle(actual: Throttle | undefined, expected: Throttle) {
  return (
    actual?.ThrottlingRateLimit === expected.ThrottlingRateLimit &&
    actual?.ThrottlingBurstLimit === expected.ThrottlingBurstLimit
  );
}
