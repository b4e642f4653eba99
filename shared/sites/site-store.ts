/**
 * The sites table: WordPress sites registered by tenants.
 */
import { createHash } from 'node:crypto';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';

/** A registered site; the application password is in the secret store. */
export interface SiteRecord {
  readonly tenantId: string;
  readonly siteId: string;
  /** The normalised site URL. */
  readonly url: string;
  readonly restRoot: string;
  readonly restMode: 'pretty' | 'query';
  readonly username: string;
  readonly secretRef: string;
  readonly name: string;
  /** Hours east of UTC, from the REST index. */
  readonly gmtOffset: number;
  readonly timezoneString: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * The id of a tenant's site, derived from the tenant and the normalised URL:
 * registering the same site again gives the same id.
 */
export function siteIdFor(tenantId: string, normalisedUrl: string): string {
  const digest = createHash('sha256')
    .update(`${tenantId}\u0000${normalisedUrl}`)
    .digest('hex');
  return `site_${digest.slice(0, 24)}`;
}

/** Reads and writes sites, always within one tenant. */
export class SiteStore {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** A tenant's site; another tenant's site is as absent as a random id. */
  async get(tenantId: string, siteId: string): Promise<SiteRecord | undefined> {
    const answer = await this.dynamo.send(
      new GetCommand({ TableName: this.tableName, Key: { tenantId, siteId } }),
    );
    return answer.Item as SiteRecord | undefined;
  }

  /** Stores a site, keeping its first registration time. */
  async put(site: SiteRecord): Promise<void> {
    await this.dynamo.send(
      new PutCommand({ TableName: this.tableName, Item: site }),
    );
  }

  /**
   * One page of a tenant's sites in id order, starting after `after`.
   *
   * @returns the sites and, when more may follow, the id to continue after.
   */
  async listPage(
    tenantId: string,
    options: { limit: number; after?: string },
  ): Promise<{ sites: SiteRecord[]; next?: string }> {
    const answer = await this.dynamo.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'tenantId = :tenant',
        ExpressionAttributeValues: { ':tenant': tenantId },
        Limit: options.limit,
        ...(options.after && {
          // The tenant is the token's, so a cursor cannot reach another's.
          ExclusiveStartKey: { tenantId, siteId: options.after },
        }),
      }),
    );
    const next = answer.LastEvaluatedKey?.siteId;
    return {
      sites: (answer.Items ?? []) as SiteRecord[],
      ...(typeof next === 'string' && { next }),
    };
  }

  /** A tenant's sites. */
  async list(tenantId: string): Promise<SiteRecord[]> {
    const answer = await this.dynamo.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'tenantId = :tenant',
        ExpressionAttributeValues: { ':tenant': tenantId },
      }),
    );
    return (answer.Items ?? []) as SiteRecord[];
  }

  /** Removes a site record. */
  async delete(tenantId: string, siteId: string): Promise<void> {
    await this.dynamo.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: { tenantId, siteId },
      }),
    );
  }
}
