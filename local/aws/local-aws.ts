import {
  createLocalDynamoDbClient,
  createLocalSqsClient,
  localAwsEnvironment,
} from './clients.js';
import { startDynamoDbLocal } from './dynamodb-local.js';
import {
  type ProvisionedResources,
  provisionLocalResources,
} from './provision.js';
import { startSqsLocal } from './sqs-local.js';

/** Options of {@link startLocalAws}. */
export interface LocalAwsOptions {
  /** Starts every physical name: `${prefix}-${logicalName}`. */
  readonly prefix: string;
  /** Receives of one message before it moves to the dead-letter queue. */
  readonly maxReceiveCount: number;
  /** Visibility timeout of every work queue. */
  readonly visibilityTimeoutSeconds: number;
  /**
   * DynamoDB Local's data folder; in memory when absent.
   * @default undefined
   */
  readonly dynamoDbDataDir?: string;
  /** @default 0 (a free port) */
  readonly dynamoDbPort?: number;
  /** @default 0 (a free port) */
  readonly sqsPort?: number;
}

/** Both stand-ins, running and provisioned. */
export interface LocalAws {
  readonly dynamoDbEndpoint: string;
  readonly sqsEndpoint: string;
  /** Process id of DynamoDB Local's JVM. */
  readonly dynamoDbPid: number;
  readonly resources: ProvisionedResources;
  /** What the handlers read; see `localAwsEnvironment`. */
  readonly env: Readonly<Record<string, string>>;
  /** Stops both stand-ins; SQS state is gone, DynamoDB's stays on disk. */
  stop(): Promise<void>;
}

/**
 * Starts DynamoDB Local and the SQS emulator on 127.0.0.1, creates the
 * tables and queues of `shared/resources.ts` and describes them as the
 * handlers' environment. Nothing is written to `process.env`.
 *
 * @throws {LocalAwsError} when a stand-in fails to start or to provision;
 *   whatever had started is stopped first.
 * @example
 * const aws = await startLocalAws({
 *   prefix: 'wpsync-local', maxReceiveCount: 3, visibilityTimeoutSeconds: 30,
 *   dynamoDbDataDir: '.wp-sync/dynamodb',
 * });
 * Object.assign(process.env, aws.env);
 */
export async function startLocalAws(
  options: LocalAwsOptions,
): Promise<LocalAws> {
  const starting = [
    startDynamoDbLocal({
      port: options.dynamoDbPort ?? 0,
      ...(options.dynamoDbDataDir && { dataDir: options.dynamoDbDataDir }),
    }),
    startSqsLocal({ port: options.sqsPort ?? 0 }),
  ] as const;
  // Waits for both to settle, so a failure of one never leaks the other.
  const stop = async () => {
    const results = await Promise.allSettled(starting);
    await Promise.all(
      results.map((r) => (r.status === 'fulfilled' ? r.value.stop() : null)),
    );
  };

  try {
    const [dynamoLocal, sqsLocal] = await Promise.all(starting);
    const resources = await provision(
      dynamoLocal.endpoint,
      sqsLocal.endpoint,
      options,
    );
    return {
      dynamoDbEndpoint: dynamoLocal.endpoint,
      sqsEndpoint: sqsLocal.endpoint,
      dynamoDbPid: dynamoLocal.pid,
      resources,
      env: localAwsEnvironment({
        dynamoDbEndpoint: dynamoLocal.endpoint,
        sqsEndpoint: sqsLocal.endpoint,
        resources,
      }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function provision(
  dynamoDbEndpoint: string,
  sqsEndpoint: string,
  options: LocalAwsOptions,
): Promise<ProvisionedResources> {
  const dynamo = createLocalDynamoDbClient(dynamoDbEndpoint);
  const sqs = createLocalSqsClient(sqsEndpoint);
  try {
    return await provisionLocalResources({
      dynamo,
      sqs,
      prefix: options.prefix,
      maxReceiveCount: options.maxReceiveCount,
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
    });
  } finally {
    dynamo.destroy();
    sqs.destroy();
  }
}
