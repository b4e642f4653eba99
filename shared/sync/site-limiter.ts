/**
 * A per-site limit on concurrent page fetches, shared by every worker.
 *
 * The limit lives in one store item per site: a map of held slots, each
 * with its own expiry (a lease, never a TTL), and the current limit. The
 * limit halves when the site throttles or fails us and grows back by one
 * with each clean page, so a struggling site gets fewer requests at once.
 */
import {
  type DynamoDBDocumentClient,
  GetCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../content/item-store.js';

/** Limits of the per-site concurrency. */
export interface SiteLimits {
  /** Concurrent fetches a site starts with and returns to. */
  readonly initial: number;
  /** The most the limit grows to. */
  readonly max: number;
  /** How long a slot is held at most, should its worker die. */
  readonly slotLeaseMs: number;
}

export const DEFAULT_SITE_LIMITS: SiteLimits = {
  initial: 2,
  max: 4,
  slotLeaseMs: 120_000,
};

interface LimiterItem {
  readonly limit?: number;
  readonly version?: number;
  readonly slots?: Record<string, number>;
}

/** Shared per-site slots in the syncs table. */
export class SiteLimiter {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly limits: SiteLimits = DEFAULT_SITE_LIMITS,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  /**
   * Takes a slot of the site for `holder`, waiting up to `maxWaitMs`.
   *
   * @returns whether a slot was taken.
   */
  async acquire(
    siteId: string,
    holder: string,
    maxWaitMs: number,
  ): Promise<boolean> {
    const deadline = this.now() + maxWaitMs;
    for (let round = 0; ; round++) {
      if (await this.tryAcquire(siteId, holder)) return true;
      if (this.now() >= deadline) return false;
      const backoff = Math.min(2000, 50 * 2 ** Math.min(round, 6));
      await this.sleep(backoff / 2 + Math.random() * (backoff / 2));
    }
  }

  /** Gives the slot back. */
  async release(siteId: string, holder: string): Promise<void> {
    await this.dynamo.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: this.key(siteId),
        // The version moves too, so a worker that read the slots before
        // this release cannot write ours back.
        UpdateExpression: 'REMOVE slots.#holder ADD version :one',
        ExpressionAttributeNames: { '#holder': holder },
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
  }

  /** Halves the site's limit after it throttled or failed us. */
  async slowDown(siteId: string): Promise<void> {
    const item = await this.read(siteId);
    const limit = item.limit ?? this.limits.initial;
    await this.setLimit(siteId, item, Math.max(1, Math.floor(limit / 2)));
  }

  /** Grows the site's limit by one after a clean page. */
  async speedUp(siteId: string): Promise<void> {
    const item = await this.read(siteId);
    const limit = item.limit ?? this.limits.initial;
    if (limit < this.limits.max) {
      await this.setLimit(siteId, item, limit + 1);
    }
  }

  /** The site's current limit. */
  async limitOf(siteId: string): Promise<number> {
    return (await this.read(siteId)).limit ?? this.limits.initial;
  }

  private async tryAcquire(siteId: string, holder: string): Promise<boolean> {
    const item = await this.read(siteId);
    const now = this.now();
    const live = Object.entries(item.slots ?? {}).filter(
      ([name, until]) => name !== holder && until > now,
    );
    if (live.length >= (item.limit ?? this.limits.initial)) return false;
    // Expired slots are dropped with the same write that takes ours.
    const slots = Object.fromEntries([
      ...live,
      [holder, now + this.limits.slotLeaseMs],
    ]);
    return this.writeIfUnchanged(siteId, item, { slots });
  }

  private async setLimit(
    siteId: string,
    item: LimiterItem,
    limit: number,
  ): Promise<void> {
    // A lost race means another worker just changed it; theirs stands.
    await this.writeIfUnchanged(siteId, item, { limit });
  }

  /** Writes fields only if nobody changed the item since it was read. */
  private async writeIfUnchanged(
    siteId: string,
    item: LimiterItem,
    fields: { slots?: Record<string, number>; limit?: number },
  ): Promise<boolean> {
    const sets = Object.keys(fields).map((name) => `#${name} = :${name}`);
    try {
      await this.dynamo.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(siteId),
          UpdateExpression: `SET ${sets.join(', ')} ADD version :one`,
          ConditionExpression:
            item.version === undefined
              ? 'attribute_not_exists(version)'
              : 'version = :version',
          ExpressionAttributeNames: Object.fromEntries(
            Object.keys(fields).map((name) => [`#${name}`, name]),
          ),
          ExpressionAttributeValues: {
            ...Object.fromEntries(
              Object.entries(fields).map(([name, value]) => [
                `:${name}`,
                value,
              ]),
            ),
            ':one': 1,
            ...(item.version !== undefined && { ':version': item.version }),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  private async read(siteId: string): Promise<LimiterItem> {
    const answer = await this.dynamo.send(
      new GetCommand({
        TableName: this.tableName,
        Key: this.key(siteId),
        ConsistentRead: true,
      }),
    );
    return (answer.Item ?? {}) as LimiterItem;
  }

  private key(siteId: string) {
    // Its own partition of the syncs table: the limit outlives any sync.
    return { syncId: `LIMIT#${siteId}`, rec: 'LIMITER' };
  }
}
