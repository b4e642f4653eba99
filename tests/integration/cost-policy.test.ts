/**
 * A tenant's cost policy decides whether changed posts and pages are
 * queued for embeddings; a skip is counted with its reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncReport } from '../../shared/sync/report.js';
import { runCli } from '../support/cli.js';
import {
  type FakeWordPress,
  fakeContent,
  startFakeWordPress,
} from '../support/fake-wordpress.js';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime.js';

let wp: FakeWordPress;
let local: TestRuntime;
let siteId: string;

beforeAll(async () => {
  wp = await startFakeWordPress(
    fakeContent({ categories: 2, media: 1, pages: 3, posts: 12 }),
  );
  local = await startTestRuntime('policy');
  ({ siteId } = await local.api.registerSite({
    url: wp.url,
    username: wp.username,
    appPassword: wp.appPassword,
  }));
}, 120_000);

afterAll(async () => {
  await local?.close();
  await wp?.close();
});

async function syncToEnd(): Promise<SyncReport> {
  const { syncId } = await local.api.startSync(siteId);
  return local.finished(syncId);
}

function editAll(collection: 'posts' | 'pages', modified: string) {
  for (const item of wp.content[collection]) {
    item.modified_gmt = modified;
    item.content = { rendered: `<p>edited at ${modified}</p>` };
  }
}

describe('the cost policy', () => {
  it('skips embeddings of a THROTTLED tenant and names the reason', async () => {
    // Prepare
    const set = await runCli('policy', ['--set', 'THROTTLED'], {
      WP_SYNC_DATA_DIR: local.dir,
    });

    // Act
    const report = await syncToEnd();

    // Assess: every published post and page changed, none was queued.
    const changed = wp.content.posts.length + wp.content.pages.length;
    expect(set.code).toBe(0);
    expect(report.status).toBe('completed');
    expect(report.embeddings).toEqual({
      queued: 0,
      skipped: changed,
      skipReasons: { policy_THROTTLED: changed },
    });
  }, 120_000);

  it('queues the changed items again once the tenant is OK', async () => {
    // Prepare: the tenant is back to OK and only the pages change.
    await runCli('policy', ['--set', 'OK'], { WP_SYNC_DATA_DIR: local.dir });
    editAll('pages', '2024-06-01T00:00:00');

    // Act
    const report = await syncToEnd();

    // Assess
    expect(report.jobs.pages.updated).toBe(wp.content.pages.length);
    expect(report.embeddings).toEqual({
      queued: wp.content.pages.length,
      skipped: 0,
      skipReasons: {},
    });
  }, 120_000);

  it('counts a BLOCKED tenant’s skips under their own reason', async () => {
    await runCli('policy', ['--set', 'BLOCKED'], {
      WP_SYNC_DATA_DIR: local.dir,
    });
    editAll('posts', '2024-07-01T00:00:00');

    const report = await syncToEnd();

    expect(report.embeddings.skipReasons).toEqual({
      policy_BLOCKED: wp.content.posts.length,
    });
  }, 120_000);
});
