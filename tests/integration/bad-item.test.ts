/**
 * One malformed item fails alone: the rest of its page is synced and the
 * sync says which item failed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FakeWordPress,
  fakeContent,
  startFakeWordPress,
} from '../support/fake-wordpress.js';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime.js';

let wp: FakeWordPress;
let local: TestRuntime;

beforeAll(async () => {
  const content = fakeContent({ categories: 1, pages: 1, posts: 30 });
  const broken = content.posts[4];
  if (broken) broken.id = 'broken';
  wp = await startFakeWordPress(content);
  local = await startTestRuntime('bad-item');
}, 120_000);

afterAll(async () => {
  await local?.close();
  await wp?.close();
});

describe('a page with one item without an id', () => {
  it('syncs the rest of the page and fails that item alone', async () => {
    // Act
    const site = await local.api.registerSite({
      url: wp.url,
      username: wp.username,
      appPassword: wp.appPassword,
    });
    const { syncId } = await local.api.startSync(site.siteId);
    const report = await local.finished(syncId);

    // Assess
    const posts = wp.content.posts;
    expect(report.status).toBe('completed_with_errors');
    expect(report.jobs.posts.failed).toBe(1);
    expect(report.jobs.posts.created).toBe(posts.length - 1);
    expect(report.jobs.posts.errors.map((error) => error.code)).toEqual([
      'VALIDATION_FAILED',
    ]);
    expect(report.jobs.posts.warnings.map((w) => w.code)).toContain(
      'WP_ITEM_WITHOUT_ID',
    );
  }, 120_000);
});
