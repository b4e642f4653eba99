/**
 * A site that stays down: the sync ends `failed` within its wait budget
 * with the cause named, and once the site is back a redrive finishes it
 * with nothing counted twice.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WpSyncApi } from '../../local/cli/api-client.js';
import {
  connectRuntime,
  type RuntimeLease,
} from '../../local/runtime/connect.js';
import { dataPaths } from '../../local/runtime/paths.js';
import {
  issueToken,
  LOCAL_TENANT,
  tokenKey,
} from '../../local/runtime/tokens.js';
import type { SyncReport } from '../../shared/sync/report.js';
import { runCli } from '../support/cli.js';
import {
  type FakeWordPress,
  fakeContent,
  startFakeWordPress,
} from '../support/fake-wordpress.js';

const WAIT_BUDGET_SECONDS = 4;

let wp: FakeWordPress;
let dir: string;
let runtime: RuntimeLease;
let api: WpSyncApi;

beforeAll(async () => {
  wp = await startFakeWordPress(
    fakeContent({ categories: 3, tags: 2, media: 4, pages: 3, posts: 150 }),
  );
  dir = await mkdtemp(join(tmpdir(), 'wp-sync-outage-'));
  runtime = await connectRuntime(dir, {
    env: {
      WP_SYNC_TIMINGS: JSON.stringify({
        maxDeferSeconds: WAIT_BUDGET_SECONDS,
        visibilityTimeoutSeconds: 5,
        leaseSeconds: 3,
      }),
    },
  });
  const token = await issueToken(
    await tokenKey(dataPaths(dir).tokenKey),
    LOCAL_TENANT,
  );
  api = new WpSyncApi(runtime.info.apiUrl, token);
}, 120_000);

afterAll(async () => {
  await runtime?.release();
  await wp?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function finished(
  syncId: string,
  timeoutMs: number,
): Promise<SyncReport> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const report = await api.report(syncId);
    if (report.finishedAt) return report;
    if (Date.now() > deadline) {
      throw new Error(`sync still ${report.status} after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('a sync whose site stays in maintenance', () => {
  it('fails with the cause, then finishes after a redrive', async () => {
    // Prepare: every posts request answers WordPress's maintenance page.
    wp.setFault(({ resource }) =>
      resource === 'posts'
        ? {
            status: 503,
            headers: { 'retry-after': '1', 'content-type': 'text/html' },
            body: '<html><body>Briefly unavailable for scheduled maintenance.</body></html>',
          }
        : undefined,
    );
    const site = await api.registerSite({
      url: wp.url,
      username: wp.username,
      appPassword: wp.appPassword,
    });

    // Act: the outage
    const started = Date.now();
    const { syncId } = await api.startSync(site.siteId);
    const failed = await finished(syncId, 120_000);
    const tookMs = Date.now() - started;

    // Assess
    expect(failed.status).toBe('failed');
    expect(failed.jobs.posts.errors.map((error) => error.code)).toEqual([
      'WP_UNAVAILABLE',
    ]);
    expect(failed.jobs.terms.status).toBe('completed');
    console.info(`outage ended the sync failed after ${tookMs} ms`);

    // Act: the site is back; the dead letters are redriven.
    wp.setFault(undefined);
    const redrive = await runCli('redrive', ['--sync', syncId], {
      WP_SYNC_DATA_DIR: dir,
    });
    const done = await finished(syncId, 120_000);

    // Assess: every item once, none twice.
    expect(redrive.code).toBe(0);
    expect(done.status).toBe('completed');
    expect(done.jobs.posts.created).toBe(wp.content.posts.length);
    expect(done.jobs.posts.errors).toEqual([]);
    const total = Object.values(wp.content).reduce(
      (sum, items) => sum + items.length,
      0,
    );
    expect(done.totals).toEqual({
      created: total,
      updated: 0,
      skipped: 0,
      failed: 0,
    });
    expect(done.embeddings.queued).toBe(
      wp.content.posts.length + wp.content.pages.length,
    );
  }, 300_000);
});
