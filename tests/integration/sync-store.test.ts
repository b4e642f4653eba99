import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalDocumentClient } from '../../local/aws/clients.js';
import { type LocalAws, startLocalAws } from '../../local/aws/local-aws.js';
import { type PageMessage, ZERO_COUNTS } from '../../shared/sync/model.js';
import { type PageOutcome, SyncStore } from '../../shared/sync/sync-store.js';

let aws: LocalAws;
let store: SyncStore;
let counter = 0;

beforeAll(async () => {
  aws = await startLocalAws({
    prefix: `syncs-${process.pid}`,
    maxReceiveCount: 3,
    visibilityTimeoutSeconds: 5,
  });
  store = new SyncStore(
    createLocalDocumentClient(aws.dynamoDbEndpoint),
    aws.resources.tables.syncs,
  );
});

afterAll(async () => {
  await aws?.stop();
});

async function newSync(): Promise<PageMessage[]> {
  counter++;
  return store.createSync({
    syncId: `sync_${String(counter).padStart(32, '0')}`,
    tenantId: 'tenant-a',
    siteId: 'site_bbbbbbbbbbbbbbbbbbbbbbbb',
    correlationId: `corr-${counter}`,
    now: new Date('2024-01-01T00:00:00Z'),
  });
}

const outcome = (created: number): PageOutcome => ({
  counts: { ...ZERO_COUNTS, created },
  warnings: [],
  errors: [],
  requestMs: 10,
  upsertMs: 5,
  skipReasons: {},
});

function messageOf(messages: PageMessage[], resource: string): PageMessage {
  const found = messages.find((message) => message.resource === resource);
  if (!found) throw new Error(`no ${resource} message`);
  return found;
}

describe('SyncStore.createSync', () => {
  it('creates the first page of each of the five collections', async () => {
    const messages = await newSync();

    expect(messages.map((message) => message.resource).sort()).toEqual([
      'categories',
      'media',
      'pages',
      'posts',
      'tags',
    ]);
    expect(new Set(messages.map((message) => message.page))).toEqual(
      new Set([1]),
    );
  });
});

describe('SyncStore.claimTask', () => {
  it('lets exactly one of many racing workers claim a task', async () => {
    // Prepare
    const posts = messageOf(await newSync(), 'posts');
    const workers = Array.from({ length: 8 }, (_, index) => `worker-${index}`);

    // Act
    const claims = await Promise.all(
      workers.map((worker) =>
        store.claimTask(posts, worker, Date.now(), 60_000),
      ),
    );

    // Assess
    expect(claims.filter((claim) => claim.kind === 'claimed')).toHaveLength(1);
    expect(claims.filter((claim) => claim.kind === 'busy')).toHaveLength(7);
  });

  it('tells a duplicate delivery that the task is already done', async () => {
    // Prepare
    const posts = messageOf(await newSync(), 'posts');
    await store.claimTask(posts, 'first', Date.now(), 60_000);
    await store.finishTask(posts, 'first', 'done', outcome(1));

    // Act
    const claim = await store.claimTask(posts, 'second', Date.now(), 60_000);

    // Assess
    expect(claim).toEqual({ kind: 'finished', state: 'done' });
  });

  it('gives a task whose lease ran out to the next worker', async () => {
    const posts = messageOf(await newSync(), 'posts');
    const start = Date.now();
    await store.claimTask(posts, 'crashed', start, 1_000);

    const claim = await store.claimTask(posts, 'next', start + 1_001, 1_000);

    expect(claim).toEqual({ kind: 'claimed', attempts: 2 });
  });
});

describe('SyncStore.finishTask', () => {
  it('counts a page once however often it is finished', async () => {
    // Prepare
    const messages = await newSync();
    const posts = messageOf(messages, 'posts');
    await store.claimTask(posts, 'w1', Date.now(), 60_000);

    // Act
    const first = await store.finishTask(posts, 'w1', 'done', outcome(7));
    const second = await store.finishTask(posts, 'w1', 'done', outcome(7));

    // Assess
    const job = (await store.getJobs(posts.syncId)).find(
      (j) => j.job === 'posts',
    );
    expect([first, second]).toEqual([true, false]);
    expect(job?.created).toBe(7);
    expect(job?.pagesDone).toBe(1);
  });

  it('refuses the outcome of a worker that lost its lease', async () => {
    const posts = messageOf(await newSync(), 'posts');
    const start = Date.now();
    await store.claimTask(posts, 'slow', start, 1_000);
    await store.claimTask(posts, 'fast', start + 2_000, 60_000);

    expect(await store.finishTask(posts, 'slow', 'done', outcome(1))).toBe(
      false,
    );
    expect(await store.finishTask(posts, 'fast', 'done', outcome(1))).toBe(
      true,
    );
  });
});

describe('SyncStore.finishJobIfDone', () => {
  it('finishes a job only when every page it grew is done', async () => {
    // Prepare: page 1 reveals a page 2.
    const posts = messageOf(await newSync(), 'posts');
    await store.claimTask(posts, 'w', Date.now(), 60_000);
    const grown = await store.ensureTasks(posts, [2], new Date());
    await store.finishTask(posts, 'w', 'done', outcome(100));

    // Act
    const early = await store.finishJobIfDone(
      posts.syncId,
      'posts',
      new Date(),
    );
    const second = grown[0];
    if (!second) throw new Error('page 2 was not created');
    await store.claimTask(second, 'w', Date.now(), 60_000);
    await store.finishTask(second, 'w', 'done', outcome(3));
    const late = await store.finishJobIfDone(posts.syncId, 'posts', new Date());

    // Assess
    expect(early).toBeUndefined();
    expect(late?.status).toBe('completed');
    expect(late?.created).toBe(103);
  });

  it('creates a page task once however often it is asked for', async () => {
    const posts = messageOf(await newSync(), 'posts');

    await store.ensureTasks(posts, [2, 3], new Date());
    await store.ensureTasks(posts, [2, 3], new Date());

    const job = (await store.getJobs(posts.syncId)).find(
      (j) => j.job === 'posts',
    );
    expect(job?.pagesTotal).toBe(3);
  });
});
