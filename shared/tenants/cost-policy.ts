/**
 * Tenants' cost policies: whether their changed content may be sent for
 * AI embeddings, which cost money per item.
 */
import {
  type DynamoDBDocumentClient,
  GetCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';

export const COST_POLICIES = ['OK', 'THROTTLED', 'BLOCKED'] as const;

/** `OK` embeds; `THROTTLED` and `BLOCKED` skip embeddings and say why. */
export type TenantCostPolicy = (typeof COST_POLICIES)[number];

/** Reads and sets the cost policy of tenants. */
export class CostPolicyStore {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** A tenant's policy; a tenant nobody has limited is `OK`. */
  async get(tenantId: string): Promise<TenantCostPolicy> {
    const answer = await this.dynamo.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { tenantId },
        ProjectionExpression: 'costPolicy',
      }),
    );
    const policy = answer.Item?.costPolicy;
    return COST_POLICIES.includes(policy) ? policy : 'OK';
  }

  /** Sets a tenant's policy. */
  async set(tenantId: string, policy: TenantCostPolicy): Promise<void> {
    await this.dynamo.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { tenantId },
        UpdateExpression: 'SET costPolicy = :policy, policyUpdatedAt = :now',
        ExpressionAttributeValues: {
          ':policy': policy,
          ':now': new Date().toISOString(),
        },
      }),
    );
  }
}
