import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalDocumentClient } from '../../local/aws/clients.js';
import { type LocalAws, startLocalAws } from '../../local/aws/local-aws.js';
import type { ItemContent } from '../../shared/content/item.js';
import {
  contentHash,
  itemKey,
  localIdFor,
  type StoredItem,
} from '../../shared/content/item.js';
import { ItemStore } from '../../shared/content/item-store.js';

let aws: LocalAws;
let dynamo: DynamoDBDocumentClient;
let store: ItemStore;
let table: string;

beforeAll(async () => {
  aws = await startLocalAws({
    prefix: `items-${process.pid}`,
    maxReceiveCount: 3,
    visibilityTimeoutSeconds: 5,
  });
  dynamo = createLocalDocumentClient(aws.dynamoDbEndpoint);
  table = aws.resources.tables.items;
  store = new ItemStore(dynamo, table);
});

afterAll(async () => {
  await aws?.stop();
});

const siteId = 'site_aaaaaaaaaaaaaaaaaaaaaaaa';

function version(
  wpId: number,
  over: { title?: string; modifiedGmt?: string; fetchedAt?: string } = {},
): StoredItem {
  const content: ItemContent = {
    type: 'post',
    wpId,
    localId: localIdFor(siteId, 'post', wpId),
    slug: `post-${wpId}`,
    status: 'publish',
    link: `https://example.test/post-${wpId}/`,
    title: { html: over.title ?? 'First', text: over.title ?? 'First' },
    acf: {},
    ...(over.modifiedGmt !== undefined && { modifiedGmt: over.modifiedGmt }),
  };
  return {
    ...content,
    siteId,
    itemKey: itemKey('post', wpId),
    hash: contentHash(content),
    fetchedAt: over.fetchedAt ?? '2024-06-01T00:00:00.000Z',
    syncId: 'sync_x',
    syncTask: 'TASK#posts#000001',
    syncAction: 'created',
  };
}

async function storedTitle(wpId: number): Promise<string | undefined> {
  const answer = await dynamo.send(
    new GetCommand({
      TableName: table,
      Key: { siteId, itemKey: itemKey('post', wpId) },
    }),
  );
  return answer.Item?.title?.text;
}

describe('ItemStore.put', () => {
  it('leaves the stored item untouched when the incoming one is older', async () => {
    // Prepare
    const newer = version(1, {
      title: 'Newer',
      modifiedGmt: '2024-05-02T00:00:00Z',
    });
    const older = version(1, {
      title: 'Older',
      modifiedGmt: '2024-05-01T00:00:00Z',
      fetchedAt: '2024-06-02T00:00:00.000Z',
    });
    await store.put(newer);

    // Act
    const result = await store.put(older);

    // Assess
    expect(result).toBe('lost');
    expect(await storedTitle(1)).toBe(newer.title.text);
  });

  it('refuses an equal version with the same hash', async () => {
    const first = version(2, { modifiedGmt: '2024-05-01T00:00:00Z' });
    const again = { ...first, fetchedAt: '2024-06-05T00:00:00.000Z' };
    await store.put(first);

    expect(await store.put(again)).toBe('lost');
  });

  it('takes changed content of the same second fetched later', async () => {
    const first = version(3, {
      title: 'A',
      modifiedGmt: '2024-05-01T00:00:00Z',
    });
    const edited = version(3, {
      title: 'B',
      modifiedGmt: '2024-05-01T00:00:00Z',
      fetchedAt: '2024-06-09T00:00:00.000Z',
    });
    await store.put(first);

    expect(await store.put(edited)).toBe('written');
    expect(await storedTitle(3)).toBe('B');
  });

  it('ends with the newer version when two writers race', async () => {
    // Prepare: ten writers, each with its own modified time, in random order.
    const versions = Array.from({ length: 10 }, (_, index) =>
      version(4, {
        title: `v${index}`,
        modifiedGmt: `2024-05-01T00:00:${String(index).padStart(2, '0')}Z`,
      }),
    ).sort(() => Math.random() - 0.5);
    const newest = versions.reduce((a, b) =>
      (a.modifiedGmt ?? '') > (b.modifiedGmt ?? '') ? a : b,
    );

    // Act
    await Promise.all(versions.map((entry) => store.put(entry)));

    // Assess
    expect(await storedTitle(4)).toBe(newest.title.text);
  });

  it('stores an item over 400 KB whole, compressed', async () => {
    // Prepare: a long post body, as real sites have.
    const body = '<p>Lorem ipsum dolor sit amet.</p>'.repeat(20_000);
    const big = { ...version(5), content: { html: body } };

    // Act
    await store.put(big);
    const [read] = await collect(store.listSite(siteId), 5);

    // Assess
    expect(Buffer.byteLength(body)).toBeGreaterThan(400_000);
    expect(read?.content?.html).toBe(body);
  });
});

describe('ItemStore.readVersions', () => {
  it('returns the stored versions of the keys that exist', async () => {
    const stored = version(6, { modifiedGmt: '2024-05-01T00:00:00Z' });
    await store.put(stored);

    const found = await store.readVersions(siteId, [
      itemKey('post', 6),
      itemKey('post', 999),
    ]);

    expect([...found.keys()]).toEqual([itemKey('post', 6)]);
    expect(found.get(itemKey('post', 6))?.hash).toBe(stored.hash);
  });
});

async function collect(
  items: AsyncIterable<StoredItem>,
  wpId: number,
): Promise<StoredItem[]> {
  const found: StoredItem[] = [];
  for await (const item of items) {
    if (item.wpId === wpId) found.push(item);
  }
  return found;
}
