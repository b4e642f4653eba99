/**
 * The local runtime: DynamoDB Local and the SQS emulator on 127.0.0.1, the
 * tables and queues of `shared/resources.ts`, the API handlers over HTTP
 * and the worker handlers driven from their queues.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { SQSClient } from '@aws-sdk/client-sqs';
import { JOB_TYPES, QUEUES, TABLES } from '../../shared/resources.js';
import { ROUTES, WORKERS } from '../../shared/routes.js';
import { startLocalAws } from '../aws/local-aws.js';
import { type LoadedRoute, startApiServer } from './api-server.js';
import { dataPaths } from './paths.js';
import {
  type QueuePoller,
  startQueuePoller,
  type WorkerHandler,
} from './queue-poller.js';
import { resendPendingWork } from './resume.js';
import { localTimings } from './timings.js';
import { tokenKey, verifyToken } from './tokens.js';

/** A running local runtime. */
export interface LocalRuntime {
  readonly apiUrl: string;
  readonly dynamoDbEndpoint: string;
  readonly sqsEndpoint: string;
  /** The environment the handlers run with. */
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Starts the runtime on a data folder.
 *
 * @param options.wipe deletes the folder's stored state first.
 */
export async function startLocalRuntime(options: {
  dataDir: string;
  wipe?: boolean;
  port?: number;
}): Promise<LocalRuntime> {
  const paths = dataPaths(options.dataDir);
  const timings = localTimings();
  const log = new Logger({ serviceName: 'wp-sync-local-runtime' });
  if (options.wipe) {
    for (const entry of ['dynamodb', 'secrets.enc.json', 'secrets.key']) {
      await rm(join(options.dataDir, entry), { recursive: true, force: true });
    }
  }
  const aws = await startLocalAws({
    dynamoDbDataDir: paths.dynamodb,
    prefix: 'wpsync-local',
    maxReceiveCount: timings.maxReceiveCount,
    visibilityTimeoutSeconds: timings.visibilityTimeoutSeconds,
  });
  const env: Record<string, string> = {
    ...aws.env,
    STAGE: 'local',
    MAX_RECEIVE_COUNT: String(timings.maxReceiveCount),
    LEASE_SECONDS: String(timings.leaseSeconds),
    VISIBILITY_TIMEOUT_SECONDS: String(timings.visibilityTimeoutSeconds),
    MAX_DEFER_SECONDS: String(timings.maxDeferSeconds),
    SECRET_STORE: 'file',
    WP_SYNC_DATA_DIR: options.dataDir,
    ALLOW_LOCAL_ORIGINS: 'true',
    POWERTOOLS_DEV: 'false',
  };
  // Handlers read their configuration at import, as on a Lambda cold start.
  Object.assign(process.env, env);

  const routes: LoadedRoute[] = [];
  for (const route of ROUTES) {
    routes.push({ ...route, invoke: await loadHandler(route.handler) });
  }
  const key = await tokenKey(paths.tokenKey);
  const api = await startApiServer({
    routes,
    verify: (authorization) => verifyToken(key, authorization),
    ...(options.port !== undefined && { port: options.port }),
  });

  const sqs = new SQSClient({
    region: env.AWS_REGION,
    endpoint: aws.sqsEndpoint,
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID ?? 'local',
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? 'local',
    },
  });
  await resendPendingWork(log);
  const pollers: QueuePoller[] = [];
  for (const job of JOB_TYPES) {
    const queueUrl = env[QUEUES[job].envVar];
    if (!queueUrl) throw new Error(`No URL for the ${job} queue`);
    // Lambda runs one invocation per instance at a time, and handlers keep
    // per-invocation state (log keys, metrics) at module scope: each lane
    // gets its own instance of the handler module, as a Lambda would.
    for (let lane = 0; lane < timings.workersPerQueue; lane++) {
      pollers.push(
        startQueuePoller({
          sqs,
          queueUrl,
          queueName: job,
          handler: (await loadHandler(WORKERS[job], lane)) as WorkerHandler,
          functionName: WORKERS[job],
          log,
          batchSize: timings.batchSize,
          duplicate: timings.duplicateDeliveries,
          concurrency: 1,
        }),
      );
    }
  }
  log.info('Local runtime ready', {
    apiUrl: api.url,
    tables: Object.fromEntries(
      Object.values(TABLES).map((table) => [table.envVar, env[table.envVar]]),
    ),
  });

  return {
    apiUrl: api.url,
    dynamoDbEndpoint: aws.dynamoDbEndpoint,
    sqsEndpoint: aws.sqsEndpoint,
    env,
    stop: async () => {
      await api.close();
      await Promise.all(pollers.map((poller) => poller.stop()));
      sqs.destroy();
      await aws.stop();
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: handlers differ by trigger.
async function loadHandler(name: string, instance = 0): Promise<any> {
  const module = await import(
    `../../functions/${name}.ts?instance=${instance}`
  );
  return module.handler;
}
