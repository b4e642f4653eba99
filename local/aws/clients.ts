import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import {
  DynamoDBDocumentClient,
  type TranslateConfig,
} from '@aws-sdk/lib-dynamodb';
import {
  QUEUES,
  type QueueName,
  TABLES,
  type TableName,
} from '../../shared/resources.js';
import type { ProvisionedResources } from './provision.js';

/** The region every local client and environment uses. */
export const LOCAL_REGION = 'us-east-1';

/** Credentials the stand-ins accept; neither checks them. */
export const LOCAL_CREDENTIALS = {
  accessKeyId: 'local',
  secretAccessKey: 'local',
} as const;

/**
 * Settings that the SDK would otherwise look up itself. Each lookup can read
 * `~/.aws/config` and its profiles, and `defaultsMode: 'auto'` asks the
 * instance metadata service for the region; given here, none of that runs,
 * and the endpoint is an IP address, so no name is resolved either.
 */
function localClientConfig(endpoint: string) {
  return {
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    defaultsMode: 'standard' as const,
    retryMode: 'standard',
    maxAttempts: 3,
    useFipsEndpoint: false,
    useDualstackEndpoint: false,
    userAgentAppId: 'wp-sync-local',
    authSchemePreference: ['sigv4'],
  };
}

/**
 * Builds a DynamoDB client for a local endpoint such as DynamoDB Local's.
 *
 * @param endpoint - `http://127.0.0.1:PORT`
 */
export function createLocalDynamoDbClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    ...localClientConfig(endpoint),
    accountIdEndpointMode: 'disabled',
    endpointDiscoveryEnabled: false,
  });
}

/**
 * Builds a document client over {@link createLocalDynamoDbClient}.
 *
 * @param endpoint - `http://127.0.0.1:PORT`
 * @param translateConfig - marshalling options, as for
 *   `DynamoDBDocumentClient.from`
 */
export function createLocalDocumentClient(
  endpoint: string,
  translateConfig?: TranslateConfig,
): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    createLocalDynamoDbClient(endpoint),
    translateConfig,
  );
}

/**
 * Builds an SQS client for a local endpoint such as the emulator's.
 *
 * Requests always go to `endpoint`, whatever host a queue URL names: the
 * emulator's queue URLs carry a host that does not resolve.
 *
 * @param endpoint - `http://127.0.0.1:PORT`
 */
export function createLocalSqsClient(endpoint: string): SQSClient {
  return new SQSClient({
    ...localClientConfig(endpoint),
    useQueueUrlAsEndpoint: false,
  });
}

/** What {@link localAwsEnvironment} describes. */
export interface LocalAwsEnvironmentInput {
  /** DynamoDB Local's endpoint. */
  readonly dynamoDbEndpoint: string;
  /** The SQS emulator's endpoint. */
  readonly sqsEndpoint: string;
  /** Physical names and URLs from `provisionLocalResources`. */
  readonly resources: ProvisionedResources;
}

/**
 * The environment variables the handlers read, pointing at the stand-ins:
 * `DYNAMODB_ENDPOINT`, `SQS_ENDPOINT`, the region and credentials, and the
 * variable of every table, queue and dead-letter queue of
 * `shared/resources.ts`. `AWS_EC2_METADATA_DISABLED` is set as well, so a
 * client built without explicit credentials never waits on the instance
 * metadata service either.
 *
 * @example
 * Object.assign(process.env, localAwsEnvironment({
 *   dynamoDbEndpoint: dynamo.endpoint,
 *   sqsEndpoint: sqs.endpoint,
 *   resources,
 * }));
 */
export function localAwsEnvironment(
  input: LocalAwsEnvironmentInput,
): Record<string, string> {
  const env: Record<string, string> = {
    DYNAMODB_ENDPOINT: input.dynamoDbEndpoint,
    SQS_ENDPOINT: input.sqsEndpoint,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  for (const name of Object.keys(TABLES) as TableName[]) {
    env[TABLES[name].envVar] = input.resources.tables[name];
  }
  for (const name of Object.keys(QUEUES) as QueueName[]) {
    env[QUEUES[name].envVar] = input.resources.queues[name].url;
    env[QUEUES[name].dlqEnvVar] = input.resources.queues[name].dlqUrl;
  }
  return env;
}
