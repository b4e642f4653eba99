import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalDocumentClient } from '../../local/aws/clients.js';
import { type LocalAws, startLocalAws } from '../../local/aws/local-aws.js';
import { ItemStore } from '../../shared/content/item-store.js';
import { JOB_TYPES } from '../../shared/resources.js';
import { closeSyncIfDone } from '../../shared/sync/finish-sync.js';
import { ZERO_COUNTS } from '../../shared/sync/model.js';
import { SyncStore } from '../../shared/sync/sync-store.js';

let aws: LocalAws;
let syncs: SyncStore;
let items: ItemStore;
const silent = { debug() {}, info() {}, warn() {}, error() {} };

beforeAll(async () => {
  aws = await startLocalAws({
    prefix: `finish-${process.pid}`,
    maxReceiveCount: 3,
    visibilityTimeoutSeconds: 5,
  });
  const dynamo = createLocalDocumentClient(aws.dynamoDbEndpoint);
  syncs = new SyncStore(dynamo, aws.resources.tables.syncs);
  items = new ItemStore(dynamo, aws.resources.tables.items);
});

afterAll(async () => {
  await aws?.stop();
});

describe('closeSyncIfDone', () => {
  it('closes a sync whose worker died between its last job and the close', async () => {
    // Prepare: every page done and every job finished, the sync still open,
    // as a worker killed right after finishing the last job leaves it.
    const syncId = `sync_${'f'.repeat(32)}`;
    const messages = await syncs.createSync({
      syncId,
      tenantId: 'tenant-f',
      siteId: 'site_ffffffffffffffffffffffff',
      correlationId: 'corr-f',
      now: new Date(),
    });
    for (const message of messages) {
      await syncs.claimTask(message, 'w', Date.now(), 60_000);
      await syncs.finishTask(message, 'w', 'done', {
        counts: { ...ZERO_COUNTS },
        warnings: [],
        errors: [],
        requestMs: 1,
        upsertMs: 1,
        skipReasons: {},
      });
    }
    for (const job of JOB_TYPES) {
      await syncs.finishJobIfDone(syncId, job, new Date());
    }
    const posts = messages.find((message) => message.job === 'posts');
    if (!posts) throw new Error('no posts page');

    // Act: the redelivered last page.
    const status = await closeSyncIfDone(
      posts,
      { syncs, items, log: silent },
      new Date(),
    );

    // Assess
    expect(status).toBe('completed');
    const sync = await syncs.getSync(syncId);
    expect(sync?.finishedAt).toBeDefined();
    expect(sync?.pendingKind).toBeUndefined();
  });
});
