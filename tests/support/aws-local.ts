/**
 * DynamoDB Local and the SQS emulator for integration tests, started once
 * per run on free ports of 127.0.0.1 and provisioned under a unique prefix.
 *
 * Use it one of two ways:
 *
 * 1. Once for the whole run, from the vitest config:
 *    `test: { globalSetup: ['tests/support/aws-local.ts'] }`. {@link setup}
 *    starts the stand-ins before any worker exists and writes their
 *    environment into `process.env`, which the workers inherit, so handler
 *    modules that read their configuration at import see it.
 * 2. In a test file, call {@link useLocalAws} at the top level. It reuses the
 *    stand-ins of the global setup when there is one and starts its own for
 *    the file otherwise, then applies the environment in `beforeAll` (import
 *    handler modules inside `beforeAll` or a test, after that), and cleans
 *    up in `afterAll`.
 *
 * @example
 * const localAws = useLocalAws();
 *
 * it('stores a tenant', async () => {
 *   const { documentClient, resources } = localAws();
 *   await documentClient.send(new PutCommand({
 *     TableName: resources.tables.tenants, Item: { tenantId: 't1' },
 *   }));
 * });
 */
import { randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, inject } from 'vitest';
import type { TestProject } from 'vitest/node';
import {
  createLocalDocumentClient,
  createLocalDynamoDbClient,
  createLocalSqsClient,
} from '../../local/aws/clients.js';
import { startLocalAws } from '../../local/aws/local-aws.js';
import {
  type ProvisionedResources,
  provisionLocalResources,
} from '../../local/aws/provision.js';

/** Receives of a message before it is dead-lettered, unless told otherwise. */
export const TEST_MAX_RECEIVE_COUNT = 3;
/** Visibility timeout of the test queues, unless told otherwise. */
export const TEST_VISIBILITY_TIMEOUT_SECONDS = 30;

/** Where the stand-ins are; plain data, so the global setup can provide it. */
export interface LocalAwsInfo {
  readonly dynamoDbEndpoint: string;
  readonly sqsEndpoint: string;
  /** Process id of DynamoDB Local's JVM. */
  readonly dynamoDbPid: number;
  readonly prefix: string;
  readonly maxReceiveCount: number;
  readonly visibilityTimeoutSeconds: number;
  readonly resources: ProvisionedResources;
  /** The handlers' environment; see `localAwsEnvironment`. */
  readonly env: Readonly<Record<string, string>>;
}

/** The stand-ins with clients for them, as a test file sees them. */
export interface LocalAwsContext extends LocalAwsInfo {
  readonly dynamo: DynamoDBClient;
  readonly documentClient: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
  /**
   * Provisions another set of tables and queues under `${prefix}-${label}`,
   * for tests that count messages or scan tables and must not see the
   * traffic of other files.
   */
  provisionIsolated(
    label: string,
    settings?: { maxReceiveCount?: number; visibilityTimeoutSeconds?: number },
  ): Promise<ProvisionedResources>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    wpSyncLocalAws: LocalAwsInfo;
  }
}

/** Starts and provisions both stand-ins; the caller must `stop()` them. */
export async function startTestAws(): Promise<{
  info: LocalAwsInfo;
  stop(): Promise<void>;
}> {
  // Short and random: queue names stay far below SQS's 80 characters.
  const prefix = `it-${randomBytes(4).toString('hex')}`;
  const aws = await startLocalAws({
    prefix,
    maxReceiveCount: TEST_MAX_RECEIVE_COUNT,
    visibilityTimeoutSeconds: TEST_VISIBILITY_TIMEOUT_SECONDS,
  });
  const info: LocalAwsInfo = {
    dynamoDbEndpoint: aws.dynamoDbEndpoint,
    sqsEndpoint: aws.sqsEndpoint,
    dynamoDbPid: aws.dynamoDbPid,
    prefix,
    maxReceiveCount: TEST_MAX_RECEIVE_COUNT,
    visibilityTimeoutSeconds: TEST_VISIBILITY_TIMEOUT_SECONDS,
    resources: aws.resources,
    env: aws.env,
  };
  return { info, stop: aws.stop };
}

/**
 * vitest global setup: starts the stand-ins for the run, writes their
 * environment into `process.env`, provides them to {@link useLocalAws} and
 * returns the teardown.
 */
export async function setup(
  project: TestProject,
): Promise<() => Promise<void>> {
  const { info, stop } = await startTestAws();
  Object.assign(process.env, info.env);
  project.provide('wpSyncLocalAws', info);
  return stop;
}

/**
 * Gives a test file the stand-ins: those of the global setup, or its own.
 * Call it at the top level of the file; the returned function may be called
 * from tests and from hooks declared after this call.
 *
 * @throws {Error} from the returned function when called before `beforeAll`.
 */
export function useLocalAws(): () => LocalAwsContext {
  let context: LocalAwsContext | undefined;
  let stopOwn: (() => Promise<void>) | undefined;
  const previousEnv: Record<string, string | undefined> = {};

  beforeAll(async () => {
    let info = inject('wpSyncLocalAws');
    if (!info) {
      const own = await startTestAws();
      info = own.info;
      stopOwn = own.stop;
    }
    for (const [name, value] of Object.entries(info.env)) {
      previousEnv[name] = process.env[name];
      process.env[name] = value;
    }
    context = createContext(info);
  });

  afterAll(async () => {
    context?.dynamo.destroy();
    context?.documentClient.destroy();
    context?.sqs.destroy();
    for (const [name, value] of Object.entries(previousEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await stopOwn?.();
  });

  return () => {
    if (!context) {
      throw new Error('useLocalAws(): the stand-ins start in beforeAll');
    }
    return context;
  };
}

function createContext(info: LocalAwsInfo): LocalAwsContext {
  const dynamo = createLocalDynamoDbClient(info.dynamoDbEndpoint);
  const sqs = createLocalSqsClient(info.sqsEndpoint);
  return {
    ...info,
    dynamo,
    documentClient: createLocalDocumentClient(info.dynamoDbEndpoint, {
      marshallOptions: { removeUndefinedValues: true },
    }),
    sqs,
    provisionIsolated: (label, settings = {}) =>
      provisionLocalResources({
        dynamo,
        sqs,
        prefix: `${info.prefix}-${label}`,
        maxReceiveCount: settings.maxReceiveCount ?? info.maxReceiveCount,
        visibilityTimeoutSeconds:
          settings.visibilityTimeoutSeconds ?? info.visibilityTimeoutSeconds,
      }),
  };
}
