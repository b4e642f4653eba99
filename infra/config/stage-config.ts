/**
 * The configuration of one deployable stage, checked before any construct
 * is built so a bad value stops `cdk synth` with its name.
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { z } from 'zod';
import { ROUTES } from '../../shared/routes.js';

/** File names of the API handlers, one per route. */
export type RouteHandler = (typeof ROUTES)[number]['handler'];

const ROUTE_HANDLERS = ROUTES.map((route) => route.handler) as [
  RouteHandler,
  ...RouteHandler[],
];

const seconds = (max: number) => z.number().int().min(1).max(max);

/** Lambda accepts 128 MB to 10,240 MB in 1 MB steps. */
const memorySize = z.number().int().min(128).max(10_240);

/** Steady rate and burst of one throttle, as API Gateway takes them. */
const throttleSchema = z.strictObject({
  rateLimit: z.number().positive(),
  burstLimit: z.number().int().min(1),
});

/**
 * Timings of the sync pipeline. They depend on each other, so the rules
 * between them are checked here rather than left to a failed deploy or a
 * page worked twice.
 */
const timingsSchema = z
  .strictObject({
    /**
     * API handlers' timeout. API Gateway's HTTP API gives up on an
     * integration after 30 s, so a longer Lambda would only run unheard.
     */
    apiTimeoutSeconds: seconds(29),
    /** Worker handlers' timeout; Lambda's ceiling is 15 minutes. */
    workerTimeoutSeconds: seconds(900),
    /** Seconds a received page message stays hidden; SQS allows 12 h. */
    visibilityTimeoutSeconds: seconds(43_200),
    /**
     * Seconds a claimed page task belongs to its worker between two
     * heartbeats (LEASE_SECONDS).
     */
    leaseSeconds: seconds(43_200),
    /** Deliveries before a page message moves to its dead-letter queue. */
    maxReceiveCount: z.number().int().min(1).max(1000),
    /**
     * Longest a page is put off in all while its site asks us to wait
     * (maintenance, rate limits) before it fails (MAX_DEFER_SECONDS).
     */
    maxDeferSeconds: z.number().int().min(0).max(86_400),
  })
  .superRefine((timings, context) => {
    // https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
    // Lambda's poller can hold a batch while it retries a throttled
    // invocation; six timeouts keep the batch hidden meanwhile.
    if (timings.visibilityTimeoutSeconds < 6 * timings.workerTimeoutSeconds) {
      context.addIssue({
        code: 'custom',
        path: ['visibilityTimeoutSeconds'],
        message: `must be at least six times workerTimeoutSeconds (${
          6 * timings.workerTimeoutSeconds
        })`,
      });
    }
    // A worker's heartbeat renews its lease every third of it; a lease
    // that also outlasts a whole run keeps a page with its worker even
    // when beats fail (the store throttled), so no second worker takes it.
    if (timings.leaseSeconds < timings.workerTimeoutSeconds) {
      context.addIssue({
        code: 'custom',
        path: ['leaseSeconds'],
        message: 'must be at least workerTimeoutSeconds',
      });
    }
    // A message redelivered after a crashed run (one visibility timeout
    // after its last beat) must find that run's lease expired, or the
    // retry is spent on a busy answer.
    if (timings.leaseSeconds >= timings.visibilityTimeoutSeconds) {
      context.addIssue({
        code: 'custom',
        path: ['leaseSeconds'],
        message: 'must be shorter than visibilityTimeoutSeconds',
      });
    }
  });

/** The configuration of a stage as written in `stages.ts`. */
export const stageConfigSchema = z
  .strictObject({
    /** Lower-case name; it appears in the stack, dashboard and secret names. */
    stage: z
      .string()
      .regex(/^[a-z][a-z0-9]{1,11}$/, 'use 2–12 lower-case letters or digits'),
    /** The AWS account the stage deploys to. */
    account: z.string().regex(/^\d{12}$/, 'an AWS account id has 12 digits'),
    /** The AWS region the stage deploys to. */
    region: z
      .string()
      .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'not an AWS region name'),
    /** The identity provider whose tokens the API accepts. */
    auth: z.strictObject({
      /** The tokens' `iss`; API Gateway fetches its keys over HTTPS. */
      issuer: z.url({ protocol: /^https$/ }),
      /** Accepted `aud` (or `client_id`) values. */
      audience: z.array(z.string().min(1)).min(1),
      /** The claim naming the tenant (TENANT_CLAIM of the handlers). */
      tenantClaim: z.string().regex(/^[A-Za-z][A-Za-z0-9_:]*$/),
    }),
    timings: timingsSchema,
    workers: z.strictObject({
      memorySize,
      /** Page messages per invocation; above 10 SQS needs a batch window. */
      batchSize: z.number().int().min(1).max(10),
      /** Seconds Lambda waits to fill a batch. */
      maxBatchingWindowSeconds: z.number().int().min(0).max(300),
      /** Concurrent invocations per queue; Lambda's floor is 2. */
      maxConcurrency: z.number().int().min(2).max(1000),
    }),
    api: z.strictObject({
      memorySize,
      /** Throttle of every route unless a route sets its own. */
      defaultThrottle: throttleSchema,
      /**
       * Throttles of single routes, by handler; every other route gets the
       * default throttle as its own.
       */
      routeThrottles: z.partialRecord(z.enum(ROUTE_HANDLERS), throttleSchema),
    }),
    alarms: z.strictObject({
      /** Age of the oldest page message that means a queue is stuck. */
      oldestMessageAgeSeconds: z.number().int().min(60),
      /** Share of a worker's invocations that may fail before alarming. */
      workerErrorRatePercent: z.number().positive().max(100),
    }),
    logs: z.strictObject({
      retention: z.enum(RetentionDays),
      level: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']),
    }),
    /**
     * Keeps data when the stack goes: tables get deletion protection and a
     * RETAIN policy. Must be on for a stage that holds tenants' content.
     */
    retainData: z.boolean(),
  })
  .superRefine((config, context) => {
    // A retried message is at least one visibility timeout old when it
    // comes back; a lower threshold would alarm on every ordinary retry.
    const { oldestMessageAgeSeconds } = config.alarms;
    if (oldestMessageAgeSeconds <= config.timings.visibilityTimeoutSeconds) {
      context.addIssue({
        code: 'custom',
        path: ['alarms', 'oldestMessageAgeSeconds'],
        message: 'must exceed timings.visibilityTimeoutSeconds',
      });
    }
  });

/** The checked configuration of a stage. */
export type StageConfig = z.infer<typeof stageConfigSchema>;

/** The configuration of a stage before it is checked. */
export type StageConfigInput = z.input<typeof stageConfigSchema>;
