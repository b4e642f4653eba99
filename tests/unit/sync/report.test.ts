import { describe, expect, it } from 'vitest';
import { JOB_TYPES, type JobType } from '../../../shared/resources.js';
import type {
  JobRecord,
  SyncRecord,
  TaskRecord,
} from '../../../shared/sync/model.js';
import { buildReport, timing } from '../../../shared/sync/report.js';

const sync = (over: Partial<SyncRecord> = {}): SyncRecord => ({
  syncId: 'sync_1',
  rec: 'SYNC',
  tenantId: 't1',
  siteId: 'site_1',
  siteKey: 't1#site_1',
  correlationId: 'corr-1',
  startedAt: '2024-01-01T00:00:00.000Z',
  status: 'queued',
  ...over,
});

const job = (name: JobType, over: Partial<JobRecord> = {}): JobRecord => ({
  syncId: 'sync_1',
  rec: `JOB#${name}`,
  job: name,
  status: 'queued',
  pagesTotal: 1,
  pagesDone: 0,
  pagesFailed: 0,
  created: 0,
  updated: 0,
  skipped: 0,
  failed: 0,
  embeddingsQueued: 0,
  embeddingsSkipped: 0,
  requestMs: 0,
  requestCount: 0,
  upsertMs: 0,
  upsertCount: 0,
  ...over,
});

const task = (over: Partial<TaskRecord>): TaskRecord => ({
  syncId: 'sync_1',
  rec: 'TASK#posts#000001',
  job: 'posts',
  resource: 'posts',
  page: 1,
  state: 'pending',
  ...over,
});

describe('buildReport', () => {
  it('is queued while no page has been taken', () => {
    const bundle = {
      sync: sync(),
      jobs: JOB_TYPES.map((name) => job(name)),
      tasks: [task({})],
    };

    expect(buildReport(bundle).status).toBe('queued');
  });

  it('is running once a page is claimed', () => {
    const bundle = {
      sync: sync(),
      jobs: JOB_TYPES.map((name) => job(name)),
      tasks: [task({ state: 'claimed', attempts: 1 })],
    };

    const report = buildReport(bundle);

    expect(report.status).toBe('running');
    expect(report.jobs.posts.status).toBe('running');
    expect(report.jobs.media.status).toBe('queued');
  });

  it('sums the jobs and names the embedding skip reasons', () => {
    // Prepare
    const posts = job('posts', {
      created: 5,
      updated: 2,
      embeddingsSkipped: 7,
      embeddingsSkipped_policy_THROTTLED: 7,
    } as Partial<JobRecord>);
    const pages = job('pages', { skipped: 4, failed: 1 });
    const bundle = {
      sync: sync({
        status: 'completed_with_errors',
        finishedAt: '2024-01-01T00:00:03.000Z',
        danglingReferences: { posts: 2 },
      }),
      jobs: [job('terms'), job('media'), pages, posts],
      tasks: [],
    };

    // Act
    const report = buildReport(bundle);

    // Assess
    expect(report.status).toBe('completed_with_errors');
    expect(report.totals).toEqual({
      created: 5,
      updated: 2,
      skipped: 4,
      failed: 1,
    });
    expect(report.embeddings).toEqual({
      queued: 0,
      skipped: 7,
      skipReasons: { policy_THROTTLED: 7 },
    });
    expect(report.jobs.posts.danglingReferences).toBe(2);
    expect(report.durationMs).toBe(3000);
  });

  it('lists the findings of finished pages', () => {
    const error = { code: 'ITEM_INVALID', message: 'no id', wpId: 4 };
    const bundle = {
      sync: sync(),
      jobs: JOB_TYPES.map((name) => job(name)),
      tasks: [task({ state: 'done', errors: [error], requestMs: 40 })],
    };

    const report = buildReport(bundle);

    expect(report.jobs.posts.errors).toEqual([error]);
    expect(report.jobs.posts.timings.request.maxMs).toBe(40);
  });
});

describe('timing', () => {
  it('gives nearest-rank percentiles of the samples', () => {
    const samples = Array.from({ length: 20 }, (_, index) => (index + 1) * 10);

    const figures = timing(samples);

    expect(figures.p50Ms).toBe(100);
    expect(figures.p95Ms).toBe(190);
    expect(figures.maxMs).toBe(200);
    expect(figures.totalMs).toBe(2100);
  });

  it('is all zero without samples', () => {
    expect(timing([]).count).toBe(0);
  });
});
