/**
 * Configuration of the handlers, read once from the environment.
 *
 * Module scope parses it at cold start, so a missing or malformed variable
 * fails the first invocation loudly instead of a later write quietly.
 */
import { z } from 'zod';
import { WpSyncError } from './errors.js';
import { QUEUES, TABLES } from './resources.js';

const tableNames = Object.fromEntries(
  Object.entries(TABLES).map(([name, table]) => [
    name,
    z.string().min(1).describe(table.envVar),
  ]),
) as Record<keyof typeof TABLES, z.ZodString>;

const settingsSchema = z.object({
  stage: z.string().min(1).default('local'),
  region: z.string().min(1).default('us-east-1'),
  /** Set only by the local runtime; AWS endpoints are used when absent. */
  dynamoDbEndpoint: z.url().optional(),
  sqsEndpoint: z.url().optional(),
  /**
   * Static credentials for the local stand-ins; only used with explicit
   * endpoints, so a Lambda's own role credentials are never overridden.
   */
  localCredentials: z
    .object({
      accessKeyId: z.string().min(1),
      secretAccessKey: z.string().min(1),
    })
    .optional(),
  tables: z.object(tableNames),
  queues: z.record(z.string(), z.string().optional()),
  deadLetterQueues: z.record(z.string(), z.string().optional()),
  /**
   * Longest a page may be put off in all while its site is in maintenance
   * or throttling us; past it the page fails with the cause.
   */
  maxDeferSeconds: z.coerce.number().int().min(0).default(3600),
  /** Receives of a page message before SQS moves it to the dead letters. */
  maxReceiveCount: z.coerce.number().int().min(1).default(5),
  /** Visibility timeout of the page queues; a heartbeat renews it. */
  visibilityTimeoutSeconds: z.coerce.number().int().min(1).default(180),
  /** How long a claimed page task belongs to its worker without a beat. */
  leaseSeconds: z.coerce.number().int().min(1).default(120),
  /** `file` in the local runtime, `secretsmanager` on AWS. */
  secretStore: z.enum(['file', 'secretsmanager']).default('secretsmanager'),
  /** Prefix of secret names; the stage keeps environments apart. */
  secretPrefix: z
    .string()
    .regex(/^[A-Za-z0-9/_+=.@-]+$/)
    .default('wp-sync/local'),
  /** Folder of the local runtime's encrypted secrets file. */
  dataDir: z.string().optional(),
  /** A fault-injection plan (JSON); refused outside the local stage. */
  crashPlan: z.string().optional(),
  /** Plain http and loopback origins: allowed in the local runtime only. */
  allowLocalOrigins: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
});

export type Settings = z.infer<typeof settingsSchema>;

/**
 * Reads the settings from an environment.
 *
 * @throws {WpSyncError} `CONFIG_INVALID` naming each bad variable.
 */
export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const parsed = settingsSchema.safeParse({
    stage: env.STAGE,
    region: env.AWS_REGION,
    dynamoDbEndpoint: env.DYNAMODB_ENDPOINT,
    sqsEndpoint: env.SQS_ENDPOINT,
    localCredentials:
      (env.DYNAMODB_ENDPOINT || env.SQS_ENDPOINT) && env.AWS_ACCESS_KEY_ID
        ? {
            accessKeyId: env.AWS_ACCESS_KEY_ID,
            secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
          }
        : undefined,
    tables: Object.fromEntries(
      Object.entries(TABLES).map(([name, table]) => [name, env[table.envVar]]),
    ),
    queues: Object.fromEntries(
      Object.entries(QUEUES).map(([name, queue]) => [name, env[queue.envVar]]),
    ),
    deadLetterQueues: Object.fromEntries(
      Object.entries(QUEUES).map(([name, queue]) => [
        name,
        env[queue.dlqEnvVar],
      ]),
    ),
    maxDeferSeconds: env.MAX_DEFER_SECONDS,
    maxReceiveCount: env.MAX_RECEIVE_COUNT,
    leaseSeconds: env.LEASE_SECONDS,
    visibilityTimeoutSeconds: env.VISIBILITY_TIMEOUT_SECONDS,
    secretStore: env.SECRET_STORE,
    secretPrefix: env.SECRET_PREFIX,
    dataDir: env.WP_SYNC_DATA_DIR,
    allowLocalOrigins: env.ALLOW_LOCAL_ORIGINS,
    crashPlan: env.WP_SYNC_CRASH_PLAN,
  });
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new WpSyncError('CONFIG_INVALID', `Bad configuration: ${problems}`);
  }
  if (parsed.data.crashPlan && parsed.data.stage !== 'local') {
    throw new WpSyncError(
      'CONFIG_INVALID',
      'WP_SYNC_CRASH_PLAN makes workers crash on purpose; only the local stage allows it',
    );
  }
  return parsed.data;
}

/**
 * The URL of a queue the settings must name.
 *
 * @throws {WpSyncError} `CONFIG_INVALID` when the variable is unset.
 */
export function queueUrl(
  settings: Settings,
  queue: keyof typeof QUEUES,
  kind: 'queue' | 'dead-letters' = 'queue',
): string {
  const url =
    kind === 'queue'
      ? settings.queues[queue]
      : settings.deadLetterQueues[queue];
  if (!url) {
    const variable =
      kind === 'queue' ? QUEUES[queue].envVar : QUEUES[queue].dlqEnvVar;
    throw new WpSyncError('CONFIG_INVALID', `${variable} is not set`);
  }
  return url;
}
