/**
 * The consolidated report of a sync, built from its stored records.
 */
import { JOB_TYPES, type JobType } from '../resources.js';
import type {
  Finding,
  JobRecord,
  JobStatus,
  SyncStatus,
  TaskRecord,
} from './model.js';
import type { SyncBundle } from './sync-store.js';

/** How many warnings and errors a job's report lists; the rest are counted. */
export const MAX_FINDINGS_PER_JOB = 100;

/** Latency figures over a job's pages. */
export interface Timing {
  readonly count: number;
  readonly totalMs: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly maxMs: number;
}

export interface JobReport {
  readonly status: JobStatus;
  readonly pages: {
    readonly done: number;
    readonly total: number;
    readonly failed: number;
  };
  readonly created: number;
  readonly updated: number;
  readonly skipped: number;
  readonly failed: number;
  readonly danglingReferences: number;
  readonly warnings: readonly Finding[];
  readonly warningsTotal: number;
  readonly errors: readonly Finding[];
  readonly errorsTotal: number;
  readonly timings: { readonly request: Timing; readonly upsert: Timing };
  readonly finishedAt?: string;
}

export interface SyncReport {
  readonly syncId: string;
  readonly siteId: string;
  readonly status: SyncStatus;
  readonly correlationId: string;
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly durationMs?: number;
  readonly jobs: Readonly<Record<JobType, JobReport>>;
  readonly totals: {
    readonly created: number;
    readonly updated: number;
    readonly skipped: number;
    readonly failed: number;
  };
  readonly embeddings: {
    readonly queued: number;
    /** Skips by the tenant's cost policy; unchanged items are never queued. */
    readonly skipped: number;
    readonly skipReasons: Readonly<Record<string, number>>;
  };
}

/** Builds the report a tenant reads from a sync's records. */
export function buildReport(bundle: SyncBundle): SyncReport {
  const { sync } = bundle;
  const jobs = Object.fromEntries(
    JOB_TYPES.map((job) => {
      const record = bundle.jobs.find((entry) => entry.job === job);
      const tasks = bundle.tasks.filter((task) => task.job === job);
      return [
        job,
        jobReport(record, tasks, sync.danglingReferences?.[job] ?? 0),
      ];
    }),
  ) as Record<JobType, JobReport>;
  const sum = (field: 'created' | 'updated' | 'skipped' | 'failed') =>
    JOB_TYPES.reduce((total, job) => total + jobs[job][field], 0);
  const skipReasons: Record<string, number> = {};
  for (const record of bundle.jobs) {
    for (const [key, value] of Object.entries(record)) {
      if (key.startsWith('embeddingsSkipped_') && typeof value === 'number') {
        const reason = key.slice('embeddingsSkipped_'.length);
        skipReasons[reason] = (skipReasons[reason] ?? 0) + value;
      }
    }
  }
  const status = sync.finishedAt
    ? sync.status
    : bundle.tasks.some(
          (task) => task.state !== 'pending' || (task.attempts ?? 0) > 0,
        )
      ? 'running'
      : 'queued';
  return {
    syncId: sync.syncId,
    siteId: sync.siteId,
    status,
    correlationId: sync.correlationId,
    startedAt: sync.startedAt,
    ...(sync.finishedAt && {
      finishedAt: sync.finishedAt,
      durationMs: Date.parse(sync.finishedAt) - Date.parse(sync.startedAt),
    }),
    jobs,
    totals: {
      created: sum('created'),
      updated: sum('updated'),
      skipped: sum('skipped'),
      failed: sum('failed'),
    },
    embeddings: {
      queued: bundle.jobs.reduce(
        (total, job) => total + job.embeddingsQueued,
        0,
      ),
      skipped: bundle.jobs.reduce(
        (total, job) => total + job.embeddingsSkipped,
        0,
      ),
      skipReasons,
    },
  };
}

function jobReport(
  record: JobRecord | undefined,
  tasks: readonly TaskRecord[],
  danglingReferences: number,
): JobReport {
  const finished = tasks.filter(
    (task) => task.state === 'done' || task.state === 'failed',
  );
  const warnings = finished.flatMap((task) => task.warnings ?? []);
  const errors = finished.flatMap((task) => task.errors ?? []);
  const started = tasks.some(
    (task) => task.state !== 'pending' || (task.attempts ?? 0) > 0,
  );
  const status: JobStatus = record?.finishedAt
    ? record.status
    : started
      ? 'running'
      : 'queued';
  return {
    status,
    pages: {
      done: record?.pagesDone ?? 0,
      total: record?.pagesTotal ?? 0,
      failed: record?.pagesFailed ?? 0,
    },
    created: record?.created ?? 0,
    updated: record?.updated ?? 0,
    skipped: record?.skipped ?? 0,
    failed: record?.failed ?? 0,
    danglingReferences,
    warnings: warnings.slice(0, MAX_FINDINGS_PER_JOB),
    warningsTotal: warnings.length,
    errors: errors.slice(0, MAX_FINDINGS_PER_JOB),
    errorsTotal: errors.length,
    timings: {
      request: timing(finished.map((task) => task.requestMs ?? 0)),
      upsert: timing(finished.map((task) => task.upsertMs ?? 0)),
    },
    ...(record?.finishedAt && { finishedAt: record.finishedAt }),
  };
}

/** Summary figures of a list of durations. */
export function timing(samples: readonly number[]): Timing {
  if (samples.length === 0) {
    return { count: 0, totalMs: 0, meanMs: 0, p50Ms: 0, p95Ms: 0, maxMs: 0 };
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const totalMs = sorted.reduce((total, value) => total + value, 0);
  const at = (quantile: number) =>
    sorted[
      Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)
    ] ?? 0;
  return {
    count: sorted.length,
    totalMs,
    meanMs: Math.round(totalMs / sorted.length),
    p50Ms: at(0.5),
    p95Ms: at(0.95),
    maxMs: sorted[sorted.length - 1] ?? 0,
  };
}
