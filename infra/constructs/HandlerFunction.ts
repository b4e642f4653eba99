import { fileURLToPath } from 'node:url';
import { type Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import {
  NodejsFunction,
  OutputFormat,
  SourceMapMode,
} from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { METRIC_NAMESPACE } from '../../shared/observability/metric-names.js';
import type { StageConfig } from '../config/stage-config.js';
import { localOnlySettings } from './local-only-settings.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The runtime every handler deploys on: a Node.js LTS line that Lambda
 * supports until April 2028.
 */
export const HANDLER_RUNTIME = Runtime.NODEJS_24_X;

/**
 * The handlers are bundled as ESM, where no `require` exists; CommonJS
 * code bundled into them still calls it for Node built-ins, and esbuild's
 * shim throws then. The banner gives the module a real one.
 */
const REQUIRE_BANNER =
  "import { createRequire as wpSyncCreateRequire } from 'node:module';" +
  'const require = wpSyncCreateRequire(import.meta.url);';

/** Properties of a {@link HandlerFunction}. */
export interface HandlerFunctionProps {
  /** File name of the handler in `functions/`, without extension. */
  readonly handler: string;
  /**
   * Powertools service name. It must equal the name the handler's code
   * gives its Logger and Metrics: the dashboard selects metrics by it.
   */
  readonly serviceName: string;
  /** The stage the function belongs to. */
  readonly stage: StageConfig;
  /** Maximum run time of one invocation. */
  readonly timeout: Duration;
  /** Memory in MB; CPU grows with it. */
  readonly memorySize: number;
  /**
   * Variables beyond the ones every handler gets (stage, secrets,
   * Powertools, source maps).
   *
   * @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * What the function does, shown in the Lambda console.
   *
   * @default - the handler file name
   */
  readonly description?: string;
}

/**
 * A handler of `functions/` as a Lambda function with the project's
 * defaults: bundled by the local esbuild as ESM with source maps, on ARM64,
 * X-Ray traced, JSON logs into its own log group with a retention, and a
 * role that starts with nothing but writing to that log group.
 *
 * Synthesis fails if the environment ever carries a setting of the local
 * runtime, such as `ALLOW_LOCAL_ORIGINS=true` (plain-http and loopback
 * WordPress origins); see {@link localOnlySettings}.
 */
export class HandlerFunction extends Construct {
  /** The Lambda function. */
  readonly function: NodejsFunction;
  /** The function's execution role; grants go here. */
  readonly role: Role;
  /** The function's log group. */
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    const { stage } = props;

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: stage.logs.retention,
      removalPolicy: stage.retainData
        ? RemovalPolicy.RETAIN
        : RemovalPolicy.DESTROY,
    });
    // An own role instead of AWSLambdaBasicExecutionRole, whose log
    // permissions reach every log group of the account.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${props.handler} of wp-sync ${stage.stage}`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: `${REPO_ROOT}functions/${props.handler}.ts`,
      projectRoot: REPO_ROOT,
      depsLockFilePath: `${REPO_ROOT}package-lock.json`,
      description: props.description ?? props.handler,
      runtime: HANDLER_RUNTIME,
      architecture: Architecture.ARM_64,
      timeout: props.timeout,
      memorySize: props.memorySize,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel[stage.logs.level],
      systemLogLevelV2: SystemLogLevel.WARN,
      tracing: Tracing.ACTIVE,
      environment: {
        STAGE: stage.stage,
        SECRET_STORE: 'secretsmanager',
        SECRET_PREFIX: secretPrefix(stage),
        ALLOW_LOCAL_ORIGINS: 'false',
        MAX_RECEIVE_COUNT: String(stage.timings.maxReceiveCount),
        MAX_DEFER_SECONDS: String(stage.timings.maxDeferSeconds),
        LEASE_SECONDS: String(stage.timings.leaseSeconds),
        // What a worker's heartbeat asks for; the page queues' own timeout.
        VISIBILITY_TIMEOUT_SECONDS: String(
          stage.timings.visibilityTimeoutSeconds,
        ),
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: METRIC_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: stage.logs.level,
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        mainFields: ['module', 'main'],
        banner: REQUIRE_BANNER,
        // The SDK is bundled at the version the code was tested with,
        // not whichever version the runtime happens to carry.
        bundleAwsSDK: true,
        externalModules: [],
        minify: true,
        // The code tells SDK errors apart by class name as a fallback.
        keepNames: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.EXTERNAL,
        sourcesContent: false,
        forceDockerBundling: false,
      },
    });

    this.node.addValidation({ validate: () => this.checkEnvironment() });
    acknowledgeFunctionFindings(this);
  }

  private checkEnvironment(): string[] {
    const cfn = this.function.node.defaultChild as { environment?: unknown };
    // Resolved, not rendered: the L1's own (camel-case) property names.
    const resolved = Stack.of(this).resolve(cfn.environment) as
      | { variables?: Record<string, unknown> }
      | undefined;
    return localOnlySettings(resolved?.variables ?? {});
  }
}

/** Prefix of the stage's secret names (SECRET_PREFIX of the handlers). */
export function secretPrefix(stage: StageConfig): string {
  return `wp-sync/${stage.stage}`;
}

const RUNTIME_PINNED =
  'Pinned on purpose to nodejs24.x, a Node.js LTS line Lambda supports ' +
  'until 2028-04-30: moving to a newer line is its own reviewed change, ' +
  'not a side effect of a CDK upgrade that lists one.';

/**
 * Findings every handler function has for the same reasons, acknowledged
 * on the function's own resources.
 */
function acknowledgeFunctionFindings(handler: HandlerFunction): void {
  Validations.of(handler.role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'Active tracing needs xray:PutTraceSegments and ' +
      'xray:PutTelemetryRecords, which X-Ray authorises on no resource ' +
      'narrower than *.',
  });
  Validations.of(handler.function).acknowledge(
    {
      id: 'AwsSolutions-L1',
      reason: RUNTIME_PINNED,
    },
    {
      id: 'Serverless-LambdaLatestVersion',
      reason: RUNTIME_PINNED,
    },
    {
      id: 'Serverless-LambdaDLQ',
      reason:
        'Never invoked asynchronously: API Gateway calls it synchronously ' +
        'or an SQS event source mapping polls for it, and failed messages ' +
        "go to the source queue's redrive dead-letter queue.",
    },
  );
}
