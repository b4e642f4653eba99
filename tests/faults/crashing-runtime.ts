/**
 * Drives one sync on a local runtime that dies on purpose: whenever a
 * crash plan kills the runtime process, a new one is started on the same
 * data folder, and the report is polled again until the sync finishes.
 */
import { readFile } from 'node:fs/promises';
import { WpSyncApi } from '../../local/cli/api-client.js';
import {
  connectRuntime,
  type RuntimeLease,
} from '../../local/runtime/connect.js';
import { dataPaths } from '../../local/runtime/paths.js';
import type { LocalTimings } from '../../local/runtime/timings.js';
import {
  issueToken,
  LOCAL_TENANT,
  tokenKey,
} from '../../local/runtime/tokens.js';
import type { CrashPlan } from '../../shared/sync/crash-plan.js';
import type { SyncReport } from '../../shared/sync/report.js';

/** Options of {@link syncThroughCrashes}. */
export interface CrashingSyncOptions {
  /** The data folder every life of the runtime shares. */
  readonly dir: string;
  readonly timings: Partial<LocalTimings>;
  /** The crash plan of each life, counted from 0; undefined: no crashes. */
  readonly planOf: (life: number) => CrashPlan | undefined;
  /** Most lives of the runtime before the run counts as a crash loop. */
  readonly maxLives: number;
  /** Longest the whole run may take. */
  readonly timeoutMs: number;
  /**
   * How long every page of a job may be recorded while the job is still
   * open before the run counts as stuck.
   * @default 30000
   */
  readonly stallMs?: number;
  /** Registers the site and starts the sync on the first life. */
  readonly start: (api: WpSyncApi) => Promise<string>;
}

/** How a crashing sync ended. */
export interface CrashingSync {
  readonly syncId: string;
  readonly report: SyncReport;
  /** Lives of the runtime used, the last one included. */
  readonly lives: number;
  /** The last life, still running; release it when done. */
  readonly runtime: RuntimeLease;
  readonly api: WpSyncApi;
}

const POLL_MS = 250;

/** The lives started so far, and the runtime of the last, if it started. */
interface Lives {
  count: number;
  current?: RuntimeLease | undefined;
}

/**
 * Runs a sync through as many runtime deaths as its plans cause.
 *
 * @throws when the sync is not finished within `maxLives` lives or
 *   `timeoutMs`, naming the last status seen.
 */
export async function syncThroughCrashes(
  options: CrashingSyncOptions,
): Promise<CrashingSync> {
  const token = await issueToken(
    await tokenKey(dataPaths(options.dir).tokenKey),
    LOCAL_TENANT,
  );
  const first = await startLife(options, 0);
  if (!first) throw new Error('The first life of the runtime died at start');
  const lives: Lives = { count: 1, current: first };
  try {
    return await pollThroughDeaths(options, token, lives);
  } catch (error) {
    // A run that gives up leaves no runtime behind.
    await lives.current?.release();
    throw error;
  }
}

async function pollThroughDeaths(
  options: CrashingSyncOptions,
  token: string,
  lives: Lives,
): Promise<CrashingSync> {
  const deadline = Date.now() + options.timeoutMs;
  let api = new WpSyncApi(lives.current?.info.apiUrl ?? '', token);
  const syncId = await options.start(api);
  let lastStatus = 'unknown';
  const stalled = new StallWatch(options.stallMs ?? 30_000);
  while (Date.now() < deadline) {
    const runtime = lives.current;
    if (!runtime || !isAlive(runtime.info.pid)) {
      if (lives.count >= options.maxLives) {
        throw new Error(
          `The runtime died ${lives.count} times and the sync is still ` +
            `${lastStatus}: a crash loop, or too few lives allowed`,
        );
      }
      lives.current = await startLife(options, lives.count);
      lives.count += 1;
      if (lives.current) {
        api = new WpSyncApi(lives.current.info.apiUrl, token);
      }
      continue;
    }
    let report: SyncReport | undefined;
    try {
      report = await api.report(syncId);
    } catch {
      // The runtime is dying or dead; the next turn looks.
    }
    if (report?.finishedAt) {
      return { syncId, report, lives: lives.count, runtime, api };
    }
    if (report) {
      lastStatus = report.status;
      stalled.see(report);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(
    `The sync was still ${lastStatus} after ${options.timeoutMs} ms ` +
      `and ${lives.count} lives of the runtime`,
  );
}

/**
 * Notices a job whose pages are all recorded but which stays open: no
 * delivery is left to close it, so waiting longer cannot help.
 */
class StallWatch {
  private readonly since = new Map<string, number>();

  constructor(private readonly stallMs: number) {}

  /** @throws when a job has been complete but open for `stallMs`. */
  see(report: SyncReport): void {
    for (const [job, entry] of Object.entries(report.jobs)) {
      // Failed pages count as done too.
      const { done, total } = entry.pages;
      const complete = total > 0 && done >= total;
      if (!complete || entry.status !== 'running') {
        this.since.delete(job);
        continue;
      }
      const since = this.since.get(job) ?? Date.now();
      this.since.set(job, since);
      if (Date.now() - since > this.stallMs) {
        throw new Error(
          `The ${job} job has recorded all ${total} of its pages but is ` +
            `still running after ${this.stallMs} ms: nothing will close it`,
        );
      }
    }
  }
}

/**
 * Starts the runtime of one life; undefined when the life was over before
 * the runtime was ready, which happens when the work it resends on start
 * reaches a planned crash at once.
 */
async function startLife(
  options: CrashingSyncOptions,
  life: number,
): Promise<RuntimeLease | undefined> {
  const plan = options.planOf(life);
  const crashesBefore = plan ? await countLines(plan.logFile) : 0;
  try {
    return await connectRuntime(options.dir, {
      env: {
        WP_SYNC_TIMINGS: JSON.stringify(options.timings),
        // An empty value would still be parsed; the variable must be absent.
        WP_SYNC_CRASH_PLAN: plan ? JSON.stringify(plan) : undefined,
      },
    });
  } catch (error) {
    if (plan && (await countLines(plan.logFile)) > crashesBefore) {
      return undefined;
    }
    throw error;
  }
}

async function countLines(file: string): Promise<number> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).length;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
