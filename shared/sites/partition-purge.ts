/**
 * Deleting whole partitions: a site's stored items and its syncs' records
 * when the tenant deletes the site.
 */
import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { TABLES } from '../resources.js';

/** Tables whose partitions a site's deletion empties. */
export type PurgedTable = 'items' | 'syncs';

const BATCH_WRITE_LIMIT = 25;

/** Deletes every item of a partition, page by page. */
export class PartitionPurger {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    /** Physical names of the tables, as the settings give them. */
    private readonly tableNames: Readonly<Record<PurgedTable, string>>,
  ) {}

  /**
   * Deletes the partition `partition` of `table`.
   *
   * @returns how many items were deleted.
   */
  async purge(table: PurgedTable, partition: string): Promise<number> {
    const { partitionKey, sortKey } = TABLES[table];
    const tableName = this.tableNames[table];
    let deleted = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.dynamo.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: '#pk = :partition',
          // Keys only: a page of big items would cost reads for nothing.
          ProjectionExpression: '#pk, #sk',
          ExpressionAttributeNames: {
            '#pk': partitionKey.name,
            '#sk': sortKey.name,
          },
          ExpressionAttributeValues: { ':partition': partition },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      const keys = page.Items ?? [];
      for (let start = 0; start < keys.length; start += BATCH_WRITE_LIMIT) {
        await this.deleteBatch(
          tableName,
          keys.slice(start, start + BATCH_WRITE_LIMIT),
        );
      }
      deleted += keys.length;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return deleted;
  }

  private async deleteBatch(
    tableName: string,
    keys: readonly Record<string, unknown>[],
  ): Promise<void> {
    let requests: Record<string, unknown>[] = keys.map((Key) => ({
      DeleteRequest: { Key },
    }));
    for (let round = 0; requests.length > 0; round++) {
      if (round > 0) {
        // DynamoDB hands back what it could not take; back off and resend.
        await sleep(Math.min(1000, 50 * 2 ** round));
      }
      const answer = await this.dynamo.send(
        new BatchWriteCommand({
          RequestItems: { [tableName]: requests as never },
        }),
      );
      requests = (answer.UnprocessedItems?.[tableName] ?? []) as Record<
        string,
        unknown
      >[];
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
