/**
 * The items table: the CMS copy of every WordPress item.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { WpSyncError } from '../errors.js';
import type { StoredItem } from './item.js';
import { type StoredVersion, writeCondition } from './versioning.js';

/** DynamoDB refuses items over 400 KB; leave room for attribute names. */
const MAX_ITEM_BYTES = 390_000;
/** Bodies larger than this are stored gzipped. */
const COMPRESS_ABOVE_BYTES = 200_000;
const BATCH_GET_LIMIT = 100;

/** Reads and writes items of one table. */
export class ItemStore {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * The stored versions of the given items of a site, by item key.
   * Missing items are absent from the map.
   */
  async readVersions(
    siteId: string,
    itemKeys: readonly string[],
  ): Promise<Map<string, StoredVersion>> {
    const found = new Map<string, StoredVersion>();
    const unique = [...new Set(itemKeys)];
    for (let start = 0; start < unique.length; start += BATCH_GET_LIMIT) {
      let keys: Record<string, unknown>[] = unique
        .slice(start, start + BATCH_GET_LIMIT)
        .map((itemKey) => ({ siteId, itemKey }));
      for (let round = 0; keys.length > 0; round++) {
        if (round > 0) {
          await sleep(Math.min(1000, 50 * 2 ** round));
        }
        const answer = await this.dynamo.send(
          new BatchGetCommand({
            RequestItems: {
              [this.tableName]: {
                Keys: keys,
                ConsistentRead: true,
                ProjectionExpression:
                  'itemKey, #hash, fetchedAt, modifiedGmt, syncId, syncTask, syncAction',
                ExpressionAttributeNames: { '#hash': 'hash' },
              },
            },
          }),
        );
        for (const row of answer.Responses?.[this.tableName] ?? []) {
          found.set(String(row.itemKey), row as unknown as StoredVersion);
        }
        keys = (answer.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Record<
          string,
          unknown
        >[];
      }
    }
    return found;
  }

  /**
   * Writes an item if it is newer than the stored one.
   *
   * @returns `written`, or `lost` when a newer version got there first.
   * @throws {WpSyncError} `ITEM_TOO_LARGE` when even compressed the item
   *   does not fit in DynamoDB.
   */
  async put(item: StoredItem): Promise<'written' | 'lost'> {
    const condition = writeCondition(item);
    try {
      await this.dynamo.send(
        new PutCommand({
          TableName: this.tableName,
          Item: packForStorage(item),
          ConditionExpression: condition.expression,
          ExpressionAttributeNames: condition.names,
          ExpressionAttributeValues: condition.values,
        }),
      );
      return 'written';
    } catch (error) {
      if (isConditionFailure(error)) {
        return 'lost';
      }
      throw error;
    }
  }

  /** The identity and references of every stored item of a site. */
  async *listReferences(
    siteId: string,
  ): AsyncGenerator<
    Pick<
      StoredItem,
      'type' | 'wpId' | 'parent' | 'featuredMedia' | 'categories' | 'tags'
    >
  > {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.dynamo.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'siteId = :site',
          ProjectionExpression:
            '#type, wpId, parent, featuredMedia, categories, tags',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: { ':site': siteId },
          ExclusiveStartKey: startKey,
        }),
      );
      yield* (page.Items ?? []) as StoredItem[];
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  /** Every stored item of a site, in key order, with bodies unpacked. */
  async *listSite(siteId: string): AsyncGenerator<StoredItem> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.dynamo.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'siteId = :site',
          ExpressionAttributeValues: { ':site': siteId },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const row of page.Items ?? []) {
        yield unpackFromStorage(row);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
}

/**
 * The item as DynamoDB stores it: a large body is gzipped into a binary
 * attribute so real, long posts still fit under the 400 KB item limit.
 */
export function packForStorage(item: StoredItem): Record<string, unknown> {
  const plain = item as unknown as Record<string, unknown>;
  if (Buffer.byteLength(JSON.stringify(item)) <= COMPRESS_ABOVE_BYTES) {
    return plain;
  }
  const { content, ...rest } = plain;
  const packed = {
    ...rest,
    contentGz: gzipSync(JSON.stringify(content ?? null)),
  };
  const size =
    Buffer.byteLength(JSON.stringify(rest)) + packed.contentGz.byteLength;
  if (size > MAX_ITEM_BYTES) {
    throw new WpSyncError(
      'ITEM_TOO_LARGE',
      `${item.type} ${item.wpId} needs ${size} bytes even compressed; ` +
        `DynamoDB stores at most ${MAX_ITEM_BYTES}`,
      { context: { wpId: item.wpId, bytes: size } },
    );
  }
  return packed;
}

/** The inverse of {@link packForStorage}. */
export function unpackFromStorage(row: Record<string, unknown>): StoredItem {
  const { contentGz, ...rest } = row;
  if (contentGz instanceof Uint8Array) {
    const content = JSON.parse(gunzipSync(contentGz).toString('utf8'));
    return { ...rest, ...(content && { content }) } as StoredItem;
  }
  return rest as unknown as StoredItem;
}

/** Recognises a failed condition by class, or by name across SDK copies. */
export function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
