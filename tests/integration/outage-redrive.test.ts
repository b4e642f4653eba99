/**
 * A site that stays down: the sync ends `failed` within its wait budget
 * with the cause named, and once the site is back a redrive finishes it
 * with nothing counted twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import {
  type FakeWordPress,
  fakeContent,
  startFakeWordPress,
} from '../support/fake-wordpress.js';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime.js';

const WAIT_BUDGET_SECONDS = 4;

let wp: FakeWordPress;
let local: TestRuntime;

beforeAll(async () => {
  wp = await startFakeWordPress(
    fakeContent({ categories: 3, tags: 2, media: 4, pages: 3, posts: 150 }),
  );
  local = await startTestRuntime('outage', {
    WP_SYNC_TIMINGS: JSON.stringify({
      maxDeferSeconds: WAIT_BUDGET_SECONDS,
      visibilityTimeoutSeconds: 5,
      leaseSeconds: 3,
    }),
  });
}, 120_000);

afterAll(async () => {
  await local?.close();
  await wp?.close();
});

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
    const site = await local.api.registerSite({
      url: wp.url,
      username: wp.username,
      appPassword: wp.appPassword,
    });

    // Act: the outage
    const started = Date.now();
    const { syncId } = await local.api.startSync(site.siteId);
    const failed = await local.finished(syncId);
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
      WP_SYNC_DATA_DIR: local.dir,
    });
    const done = await local.finished(syncId);

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
