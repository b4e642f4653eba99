import {
  type AttributeDefinition,
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  type KeySchemaElement,
  ResourceInUseException,
  type TableDescription,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import {
  type KeyAttribute,
  QUEUES,
  type QueueName,
  TABLES,
  type TableDefinition,
  type TableName,
} from '../../shared/resources.js';
import { LocalAwsError } from './errors.js';

/** Options of {@link provisionLocalResources}. */
export interface ProvisionOptions {
  readonly dynamo: DynamoDBClient;
  readonly sqs: SQSClient;
  /** Starts every physical name: `${prefix}-${logicalName}`. */
  readonly prefix: string;
  /** Receives of one message before SQS moves it to the dead-letter queue. */
  readonly maxReceiveCount: number;
  /** Visibility timeout of every work queue. */
  readonly visibilityTimeoutSeconds: number;
  /**
   * How long to wait for tables and indexes to become ACTIVE.
   * @default 30000
   */
  readonly activeTimeoutMs?: number;
}

/** A work queue and its dead-letter queue, as created. */
export interface ProvisionedQueue {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  readonly dlqName: string;
  readonly dlqUrl: string;
  readonly dlqArn: string;
}

/** Physical names of the tables and URLs of the queues, by logical name. */
export interface ProvisionedResources {
  readonly tables: Readonly<Record<TableName, string>>;
  readonly queues: Readonly<Record<QueueName, ProvisionedQueue>>;
}

/** SQS's limit on queue names, which are the longest physical names. */
const MAX_QUEUE_NAME_LENGTH = 80;
/** Dead letters wait the longest SQS allows: 14 days. */
const DLQ_RETENTION_SECONDS = '1209600';

/**
 * Creates every table of `TABLES` and every queue of `QUEUES` (each with its
 * dead-letter queue and a RedrivePolicy) in the local stand-ins, and waits
 * until the tables and their indexes are ACTIVE.
 *
 * Running it again is safe: an existing table is kept when its keys and
 * indexes match `TABLES`, and an existing queue gets the attributes asked
 * for. Tables are on-demand and every index projects all attributes, as on
 * AWS.
 *
 * @throws {LocalAwsError} `CONFIG_INVALID` for a prefix that cannot form
 *   valid names or an existing table whose keys or indexes differ;
 *   `INTERNAL` when a table stays inactive.
 * @example
 * const resources = await provisionLocalResources({
 *   dynamo, sqs, prefix: 'dev', maxReceiveCount: 3,
 *   visibilityTimeoutSeconds: 30,
 * });
 * resources.tables.syncs; // 'dev-syncs'
 */
export async function provisionLocalResources(
  options: ProvisionOptions,
): Promise<ProvisionedResources> {
  assertUsablePrefix(options.prefix);
  const tableNames = Object.keys(TABLES) as TableName[];
  const queueNames = Object.keys(QUEUES) as QueueName[];

  const [tables, queues] = await Promise.all([
    Promise.all(tableNames.map((name) => ensureTable(options, name))),
    Promise.all(queueNames.map((name) => ensureQueuePair(options, name))),
  ]);

  return {
    tables: Object.fromEntries(
      tableNames.map((name, i) => [name, tables[i]]),
    ) as Record<TableName, string>,
    queues: Object.fromEntries(
      queueNames.map((name, i) => [name, queues[i]]),
    ) as Record<QueueName, ProvisionedQueue>,
  };
}

function assertUsablePrefix(prefix: string): void {
  const longest = Math.max(
    ...Object.keys(QUEUES).map((name) => `${prefix}-${name}-dlq`.length),
  );
  // Queue names allow less than table names: letters, digits, - and _.
  if (!/^[A-Za-z0-9_-]+$/.test(prefix) || longest > MAX_QUEUE_NAME_LENGTH) {
    throw new LocalAwsError(
      'CONFIG_INVALID',
      `Prefix "${prefix}" must be letters, digits, - or _ and keep queue ` +
        `names within ${MAX_QUEUE_NAME_LENGTH} characters`,
      { context: { prefix } },
    );
  }
}

async function ensureTable(
  options: ProvisionOptions,
  name: TableName,
): Promise<string> {
  const definition: TableDefinition = TABLES[name];
  const input = createTableInput(`${options.prefix}-${name}`, definition);
  try {
    await options.dynamo.send(new CreateTableCommand(input));
  } catch (error) {
    if (!isError(error, ResourceInUseException)) throw error;
  }
  const table = await waitUntilActive(
    options.dynamo,
    input.TableName as string,
    options.activeTimeoutMs ?? 30_000,
  );
  assertSameShape(input, table);
  if (definition.timeToLiveAttribute) {
    await ensureTimeToLive(
      options.dynamo,
      input.TableName as string,
      definition.timeToLiveAttribute,
    );
  }
  return input.TableName as string;
}

/**
 * Turns on the table's time to live, as the stack does. DynamoDB Local
 * accepts it but deletes nothing, like AWS, which deletes late: no code may
 * rely on it for correctness.
 */
async function ensureTimeToLive(
  dynamo: DynamoDBClient,
  tableName: string,
  attribute: string,
): Promise<void> {
  const current = await dynamo.send(
    new DescribeTimeToLiveCommand({ TableName: tableName }),
  );
  const description = current.TimeToLiveDescription;
  if (
    description?.AttributeName === attribute &&
    description.TimeToLiveStatus === 'ENABLED'
  ) {
    return;
  }
  await dynamo.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: attribute, Enabled: true },
    }),
  );
}

function createTableInput(
  tableName: string,
  definition: TableDefinition,
): CreateTableCommandInput {
  // Every key attribute of the table and its indexes, each named once.
  const attributes = new Map<string, AttributeDefinition>();
  const keySchema = (
    partitionKey: KeyAttribute,
    sortKey?: KeyAttribute,
  ): KeySchemaElement[] => {
    const keys = sortKey ? [partitionKey, sortKey] : [partitionKey];
    for (const key of keys) {
      attributes.set(key.name, {
        AttributeName: key.name,
        AttributeType: key.type,
      });
    }
    return keys.map((key, i) => ({
      AttributeName: key.name,
      KeyType: i === 0 ? 'HASH' : 'RANGE',
    }));
  };

  const tableKeys = keySchema(definition.partitionKey, definition.sortKey);
  const indexes = definition.indexes.map((index) => ({
    IndexName: index.name,
    KeySchema: keySchema(index.partitionKey, index.sortKey),
    Projection: { ProjectionType: 'ALL' as const },
  }));
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: tableKeys,
    AttributeDefinitions: [...attributes.values()],
    // DynamoDB rejects an empty list of indexes.
    ...(indexes.length > 0 ? { GlobalSecondaryIndexes: indexes } : {}),
  };
}

async function waitUntilActive(
  dynamo: DynamoDBClient,
  tableName: string,
  timeoutMs: number,
): Promise<TableDescription> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Table: table } = await dynamo.send(
      new DescribeTableCommand({ TableName: tableName }),
    );
    const indexesActive = (table?.GlobalSecondaryIndexes ?? []).every(
      (index) => index.IndexStatus === 'ACTIVE',
    );
    if (table && table.TableStatus === 'ACTIVE' && indexesActive) return table;
    if (Date.now() > deadline) {
      throw new LocalAwsError(
        'INTERNAL',
        `Table ${tableName} is not ACTIVE after ${timeoutMs} ms`,
        { context: { tableName, status: table?.TableStatus } },
      );
    }
    await new Promise((done) => setTimeout(done, 100));
  }
}

/** Catches a table left by an older `TABLES`, e.g. in a kept data folder. */
function assertSameShape(
  expected: CreateTableCommandInput,
  actual: TableDescription,
): void {
  const typeOf = (name: string | undefined, from: AttributeDefinition[]) =>
    from.find((attribute) => attribute.AttributeName === name)?.AttributeType;
  const describeKeys = (
    keys: { AttributeName?: string; KeyType?: string }[] | undefined,
    from: AttributeDefinition[],
  ) =>
    (keys ?? [])
      .map(
        (k) =>
          `${k.KeyType}:${k.AttributeName}:${typeOf(k.AttributeName, from)}`,
      )
      .join(',');
  const shape = (
    keys: CreateTableCommandInput['KeySchema'],
    indexes: { IndexName?: string; KeySchema?: typeof keys }[] | undefined,
    from: AttributeDefinition[] | undefined,
  ) =>
    [
      `table(${describeKeys(keys, from ?? [])})`,
      ...(indexes ?? [])
        .map((i) => `${i.IndexName}(${describeKeys(i.KeySchema, from ?? [])})`)
        .sort(),
    ].join(' ');

  const wanted = shape(
    expected.KeySchema,
    expected.GlobalSecondaryIndexes,
    expected.AttributeDefinitions,
  );
  const found = shape(
    actual.KeySchema,
    actual.GlobalSecondaryIndexes,
    actual.AttributeDefinitions,
  );
  if (wanted !== found) {
    throw new LocalAwsError(
      'CONFIG_INVALID',
      `Table ${actual.TableName} exists with other keys or indexes than ` +
        'shared/resources.ts defines; delete it or use another prefix or ' +
        'data folder',
      { context: { tableName: actual.TableName, wanted, found } },
    );
  }
}

async function ensureQueuePair(
  options: ProvisionOptions,
  name: QueueName,
): Promise<ProvisionedQueue> {
  const queueName = `${options.prefix}-${name}`;
  const dlqName = `${queueName}-dlq`;
  const dlq = await ensureQueue(options.sqs, dlqName, {
    MessageRetentionPeriod: DLQ_RETENTION_SECONDS,
  });
  const queue = await ensureQueue(options.sqs, queueName, {
    VisibilityTimeout: String(options.visibilityTimeoutSeconds),
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: dlq.arn,
      maxReceiveCount: options.maxReceiveCount,
    }),
  });
  return {
    name: queueName,
    url: queue.url,
    arn: queue.arn,
    dlqName,
    dlqUrl: dlq.url,
    dlqArn: dlq.arn,
  };
}

/**
 * Creates a queue, or finds the one that has its name, and sets its
 * attributes. Creating without attributes never conflicts with an existing
 * queue, so a second run converges instead of failing on changed settings.
 */
async function ensureQueue(
  sqs: SQSClient,
  queueName: string,
  attributes: Record<string, string>,
): Promise<{ url: string; arn: string }> {
  const { QueueUrl: url } = await sqs.send(
    new CreateQueueCommand({ QueueName: queueName }),
  );
  await sqs.send(
    new SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes }),
  );
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['QueueArn'],
    }),
  );
  if (!url || !Attributes?.QueueArn) {
    throw new LocalAwsError(
      'INTERNAL',
      `The SQS emulator gave no URL or ARN for queue ${queueName}`,
      { context: { queueName } },
    );
  }
  return { url, arn: Attributes.QueueArn };
}

/**
 * Recognises an SDK exception by class, or by name when the class differs
 * (two copies of the SDK in one process break `instanceof`).
 */
function isError(
  error: unknown,
  type: abstract new (...args: never[]) => Error,
): boolean {
  return (
    error instanceof type ||
    (error instanceof Error && error.name === type.name)
  );
}
