import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ROUTES } from '../../shared/routes.js';
import { apiAccessOf } from '../access/function-access.js';
import {
  type GrantableResources,
  grantAccess,
} from '../access/grant-access.js';
import { API_SERVICE_NAME } from '../config/service-names.js';
import type { RouteHandler, StageConfig } from '../config/stage-config.js';
import { constructId } from './construct-id.js';
import { HandlerFunction } from './HandlerFunction.js';

/** Properties of {@link SyncApi}. */
export interface SyncApiProps {
  readonly stage: StageConfig;
  /** The tables, queues and secrets the API handlers reach. */
  readonly resources: GrantableResources;
}

// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  sourceIp: '$context.identity.sourceIp',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  authorizerError: '$context.authorizer.error',
  integrationError: '$context.integrationErrorMessage',
};

/**
 * The HTTP API: every route of `ROUTES` behind a JWT authorizer that
 * trusts only the stage's issuer and audience, each route with its own
 * throttle, access logs in JSON.
 */
export class SyncApi extends Construct {
  /** The HTTP API. */
  readonly api: HttpApi;
  /** The `$default` stage, which serves the API at its root URL. */
  readonly defaultStage: HttpStage;
  /** The handler of each route. */
  readonly handlers: Readonly<Record<RouteHandler, HandlerFunction>>;

  constructor(scope: Construct, id: string, props: SyncApiProps) {
    super(scope, id);
    const { stage } = props;

    const authorizer = new HttpJwtAuthorizer('TenantToken', stage.auth.issuer, {
      jwtAudience: [...stage.auth.audience],
      identitySource: ['$request.header.Authorization'],
    });
    this.api = new HttpApi(this, 'Api', {
      description: `wp-sync ${stage.stage}`,
      // Any route added later is guarded too unless it says otherwise.
      defaultAuthorizer: authorizer,
      // The stage is built below, with throttles and access logs.
      createDefaultStage: false,
    });

    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: stage.logs.retention,
      removalPolicy: stage.retainData
        ? RemovalPolicy.RETAIN
        : RemovalPolicy.DESTROY,
    });
    this.defaultStage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: stage.api.defaultThrottle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

    const handlers: Partial<Record<RouteHandler, HandlerFunction>> = {};
    const routeSettings: Record<string, object> = {};
    for (const route of ROUTES) {
      const handler = new HandlerFunction(this, constructId(route.handler), {
        handler: route.handler,
        serviceName: API_SERVICE_NAME,
        description: `${route.method} ${route.path}`,
        stage,
        timeout: Duration.seconds(stage.timings.apiTimeoutSeconds),
        memorySize: stage.api.memorySize,
        environment: { TENANT_CLAIM: stage.auth.tenantClaim },
      });
      grantAccess(handler, apiAccessOf(route.handler), props.resources);
      const [apiRoute] = this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(
          `${constructId(route.handler)}Integration`,
          handler.function,
        ),
      });
      // Route settings name routes by key; the stage must come after them.
      if (apiRoute) {
        this.defaultStage.node.addDependency(apiRoute);
      }
      const throttle =
        stage.api.routeThrottles[route.handler] ?? stage.api.defaultThrottle;
      routeSettings[`${route.method} ${route.path}`] = {
        ThrottlingRateLimit: throttle.rateLimit,
        ThrottlingBurstLimit: throttle.burstLimit,
      };
      handlers[route.handler] = handler;
    }
    // An override, because the L1 passes a map of route settings through
    // without turning its keys into CloudFormation's casing.
    (this.defaultStage.node.defaultChild as CfnStage).addPropertyOverride(
      'RouteSettings',
      routeSettings,
    );
    this.handlers = handlers as Record<RouteHandler, HandlerFunction>;
  }

  /** The API's base URL. */
  get url(): string {
    return this.defaultStage.url;
  }
}
