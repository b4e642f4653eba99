import { z } from 'zod';

/**
 * Timings of the local runtime, short enough that a retried page comes back
 * within seconds on a laptop.
 */
export const LOCAL_TIMINGS = {
  /** Deliveries of a page message before it moves to its dead letters. */
  maxReceiveCount: 5,
  /** Seconds a received message stays hidden from other workers. */
  visibilityTimeoutSeconds: 30,
  /** Seconds a claimed page task belongs to its worker. */
  leaseSeconds: 15,
  /** Seconds a page may wait in all for a site in maintenance. */
  maxDeferSeconds: 300,
  /** Messages handed to one worker invocation. */
  batchSize: 2,
  /** Concurrent invocations per queue, like a mapping's maximum concurrency. */
  workersPerQueue: 2,
  /** Deliver every page message twice (fault-injection runs). */
  duplicateDeliveries: false,
};

export type LocalTimings = typeof LOCAL_TIMINGS;

const overridesSchema = z
  .strictObject({
    maxReceiveCount: z.number().int().min(1),
    visibilityTimeoutSeconds: z.number().int().min(1),
    leaseSeconds: z.number().int().min(1),
    maxDeferSeconds: z.number().int().min(0),
    batchSize: z.number().int().min(1).max(10),
    workersPerQueue: z.number().int().min(1).max(8),
    duplicateDeliveries: z.boolean(),
  })
  .partial();

/**
 * The timings, with overrides from `WP_SYNC_TIMINGS` (a JSON object of the
 * same fields), which tests use to make waits short.
 *
 * @throws when the overrides are not valid JSON of those fields.
 */
export function localTimings(
  env: NodeJS.ProcessEnv = process.env,
): LocalTimings {
  if (!env.WP_SYNC_TIMINGS) {
    return LOCAL_TIMINGS;
  }
  const overrides = overridesSchema.parse(JSON.parse(env.WP_SYNC_TIMINGS));
  return { ...LOCAL_TIMINGS, ...overrides };
}
