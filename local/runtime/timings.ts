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
  /** Messages handed to one worker invocation. */
  batchSize: 2,
  /** Concurrent invocations per queue, like a mapping's maximum concurrency. */
  workersPerQueue: 2,
} as const;
