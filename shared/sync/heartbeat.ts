/**
 * Keeps a claimed page task alive while its worker works: extends the
 * lease in the store and the message's visibility in SQS, so neither
 * another worker nor a redelivery takes a page that is merely slow.
 */
import type { Log } from '../observability/telemetry.js';
import type { PageMessage } from './model.js';
import { type SyncStore, taskRec } from './sync-store.js';

/** How a worker's heartbeat reaches the message it works on. */
export interface HeartbeatTarget {
  /** Extends the visibility of the message being worked on. */
  extendVisibility(seconds: number): Promise<void>;
  /** Seconds of visibility each beat asks for. */
  readonly visibilitySeconds: number;
}

/**
 * Starts beating every third of the lease. `stop` ends it and waits for a
 * beat in flight, so no beat outlives the work (or its log context).
 */
export function startHeartbeat(options: {
  message: PageMessage;
  owner: string;
  syncs: SyncStore;
  leaseMs: number;
  log: Log;
  target?: HeartbeatTarget;
  now?: () => number;
}): { stop(): Promise<void> } {
  const now = options.now ?? Date.now;
  let stopped = false;
  let inFlight: Promise<void> = Promise.resolve();
  const beat = async () => {
    const held = await options.syncs.renewLease(
      options.message,
      options.owner,
      now() + options.leaseMs,
    );
    if (!held) {
      // After the work is recorded the task is no longer claimed: a beat
      // that lands then has nothing to hold, and that is fine.
      if (!stopped) {
        options.log.warn('Lost the lease of a page task', {
          task: taskRec(options.message),
        });
      }
      return;
    }
    await options.target?.extendVisibility(options.target.visibilitySeconds);
  };
  const timer = setInterval(
    () => {
      inFlight = beat().catch((error) =>
        options.log.warn('Heartbeat failed', {
          task: taskRec(options.message),
          error: String(error),
        }),
      );
    },
    Math.max(1000, Math.floor(options.leaseMs / 3)),
  );
  timer.unref();
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await inFlight;
    },
  };
}
