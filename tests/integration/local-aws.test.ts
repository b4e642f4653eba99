import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  ChangeMessageVisibilityCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import {
  GetCommand,
  PutCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createLocalDocumentClient,
  createLocalDynamoDbClient,
  createLocalSqsClient,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  localAwsEnvironment,
} from '../../local/aws/clients.js';
import { startDynamoDbLocal } from '../../local/aws/dynamodb-local.js';
import { LocalAwsError } from '../../local/aws/errors.js';
import { provisionLocalResources } from '../../local/aws/provision.js';
import {
  type IndexDefinition,
  type KeyAttribute,
  QUEUES,
  type QueueName,
  TABLES,
  type TableDefinition,
  type TableName,
} from '../../shared/resources.js';
import { useLocalAws } from '../support/aws-local.js';

const run = promisify(execFile);
const localAws = useLocalAws();

/** Stoppers of stand-ins a test started beyond the shared pair. */
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'wp-sync-local-aws-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Local addresses of the TCP sockets that a process listens on. */
async function listeningAddresses(pid: number): Promise<string[]> {
  const { stdout } = await run('ss', ['-ltnpH']);
  return stdout
    .split('\n')
    .filter((line) => line.includes(`pid=${pid},`))
    .map((line) => line.trim().split(/\s+/)[3] ?? '');
}

/** Whether a process exists and is not a zombie awaiting its reaper. */
async function isRunning(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // The state follows the command name, which is in parentheses.
  const state = stat.slice(
    stat.lastIndexOf(')') + 2,
    stat.lastIndexOf(')') + 3,
  );
  return stat !== '' && state !== 'Z';
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((done) => setTimeout(done, 50));
  }
}

function keySchemaOf(partitionKey: KeyAttribute, sortKey?: KeyAttribute) {
  return [
    { AttributeName: partitionKey.name, KeyType: 'HASH' },
    ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: 'RANGE' }] : []),
  ];
}

describe('startDynamoDbLocal', () => {
  it('listens on 127.0.0.1 only', async () => {
    // Prepare
    const { dynamoDbEndpoint, dynamoDbPid } = localAws();
    const port = new URL(dynamoDbEndpoint).port;

    // Act
    const addresses = await listeningAddresses(dynamoDbPid);

    // Assess
    expect(addresses).toEqual([`127.0.0.1:${port}`]);
  });

  it('stops its JVM and keeps the data folder for the next start', async () => {
    // Prepare
    const dataDir = await tempDir();
    const item = { tenantId: 'tenant-persisted', name: 'Kept' };
    const first = await startDynamoDbLocal({ dataDir });
    cleanups.push(first.stop);
    const firstClient = createLocalDynamoDbClient(first.endpoint);
    const { tables } = await provisionLocalResources({
      dynamo: firstClient,
      sqs: localAws().sqs,
      prefix: `${localAws().prefix}-persist`,
      maxReceiveCount: 1,
      visibilityTimeoutSeconds: 1,
    });
    const firstDocuments = createLocalDocumentClient(first.endpoint);
    await firstDocuments.send(
      new PutCommand({ TableName: tables.tenants, Item: item }),
    );
    firstDocuments.destroy();
    firstClient.destroy();
    await first.stop();
    expect(await isRunning(first.pid)).toBe(false);

    // Act
    const second = await startDynamoDbLocal({ dataDir });
    cleanups.push(second.stop);
    const secondClient = createLocalDocumentClient(second.endpoint);
    const { Item } = await secondClient.send(
      new GetCommand({
        TableName: tables.tenants,
        Key: { tenantId: item.tenantId },
      }),
    );
    secondClient.destroy();

    // Assess
    expect(Item).toEqual(item);
  });

  it('names the address it could not bind when the port is taken', async () => {
    // Prepare
    const takenPort = Number(new URL(localAws().sqsEndpoint).port);

    // Act
    const starting = startDynamoDbLocal({ port: takenPort });

    // Assess
    await expect(starting).rejects.toThrow(
      `could not start on 127.0.0.1:${takenPort}`,
    );
  });

  it('ends its JVM when the parent process is killed', async () => {
    // Prepare
    const module = fileURLToPath(
      new URL('../../local/aws/dynamodb-local.ts', import.meta.url),
    );
    const script =
      `import { startDynamoDbLocal } from ${JSON.stringify(module)};` +
      'const d = await startDynamoDbLocal();' +
      'console.log(d.pid); setInterval(() => {}, 1000);';
    const parent = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '--eval', script],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    cleanups.push(async () => parent.kill('SIGKILL'));
    const [line] = await once(
      createInterface({ input: parent.stdout }),
      'line',
    );
    const jvmPid = Number(line);
    expect(await isRunning(jvmPid)).toBe(true);

    // Act
    parent.kill('SIGKILL');

    // Assess
    await waitUntil(async () => !(await isRunning(jvmPid)), 10_000);
  });
});

describe('provisionLocalResources', () => {
  it('creates every table with the keys and indexes of TABLES', async () => {
    // Prepare
    const { dynamo, resources } = localAws();

    for (const name of Object.keys(TABLES) as TableName[]) {
      // Act
      const { Table } = await dynamo.send(
        new DescribeTableCommand({ TableName: resources.tables[name] }),
      );

      // Assess
      const definition: TableDefinition = TABLES[name];
      expect(Table?.TableName).toBe(`${localAws().prefix}-${name}`);
      expect(Table?.TableStatus).toBe('ACTIVE');
      expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
      expect(Table?.KeySchema).toEqual(
        keySchemaOf(definition.partitionKey, definition.sortKey),
      );
      const indexes = (Table?.GlobalSecondaryIndexes ?? []).map((index) => ({
        name: index.IndexName,
        keys: index.KeySchema,
        projection: index.Projection?.ProjectionType,
      }));
      expect(indexes).toEqual(
        definition.indexes.map((index: IndexDefinition) => ({
          name: index.name,
          keys: keySchemaOf(index.partitionKey, index.sortKey),
          projection: 'ALL',
        })),
      );
    }
  });

  it('gives every queue a RedrivePolicy to its own dead-letter queue', async () => {
    // Prepare
    const { sqs, resources, maxReceiveCount } = localAws();

    for (const name of Object.keys(QUEUES) as QueueName[]) {
      // Act
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: resources.queues[name].url,
          AttributeNames: ['RedrivePolicy'],
        }),
      );

      // Assess
      expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toEqual({
        deadLetterTargetArn: resources.queues[name].dlqArn,
        maxReceiveCount,
      });
      expect(resources.queues[name].dlqName).toBe(
        `${localAws().prefix}-${name}-dlq`,
      );
    }
  });

  it('runs again over existing resources and applies new queue settings', async () => {
    // Prepare
    const { dynamo, sqs, prefix, resources, visibilityTimeoutSeconds } =
      localAws();
    const maxReceiveCount = 7;

    // Act
    const again = await provisionLocalResources({
      dynamo,
      sqs,
      prefix,
      maxReceiveCount,
      visibilityTimeoutSeconds,
    });
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: again.queues.terms.url,
        AttributeNames: ['RedrivePolicy'],
      }),
    );
    await provisionLocalResources({
      dynamo,
      sqs,
      prefix,
      maxReceiveCount: localAws().maxReceiveCount,
      visibilityTimeoutSeconds,
    });

    // Assess
    expect(again).toEqual(resources);
    expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}').maxReceiveCount).toBe(
      maxReceiveCount,
    );
  });

  it('refuses an existing table whose keys differ from TABLES', async () => {
    // Prepare
    const { dynamo, sqs, prefix } = localAws();
    const stalePrefix = `${prefix}-stale`;
    await dynamo.send(
      new CreateTableCommand({
        TableName: `${stalePrefix}-tenants`,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      }),
    );

    // Act
    const provisioning = provisionLocalResources({
      dynamo,
      sqs,
      prefix: stalePrefix,
      maxReceiveCount: 1,
      visibilityTimeoutSeconds: 1,
    });

    // Assess
    await expect(provisioning).rejects.toSatisfy(
      (error) =>
        error instanceof LocalAwsError && error.code === 'CONFIG_INVALID',
    );
  });

  it('refuses a prefix that cannot form queue names', async () => {
    // Prepare
    const { dynamo, sqs } = localAws();

    // Act
    const provisioning = provisionLocalResources({
      dynamo,
      sqs,
      prefix: 'no spaces',
      maxReceiveCount: 1,
      visibilityTimeoutSeconds: 1,
    });

    // Assess
    await expect(provisioning).rejects.toBeInstanceOf(LocalAwsError);
  });
});

describe('DynamoDB Local', () => {
  it('returns the old item of a failed conditional put with ALL_OLD', async () => {
    // Prepare
    const { documentClient, resources } = localAws();
    const stored = { tenantId: 'tenant-cond', plan: 'free', version: 1 };
    await documentClient.send(
      new PutCommand({ TableName: resources.tables.tenants, Item: stored }),
    );

    // Act
    const failure = await documentClient
      .send(
        new PutCommand({
          TableName: resources.tables.tenants,
          Item: { ...stored, plan: 'paid', version: 2 },
          // Only overwrite the version the writer read.
          ConditionExpression: 'version = :read',
          ExpressionAttributeValues: { ':read': stored.version + 1 },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      )
      .catch((error: unknown) => error);

    // Assess
    expect(failure).toBeInstanceOf(ConditionalCheckFailedException);
    // The document client leaves the error's item in DynamoDB's own format.
    expect((failure as ConditionalCheckFailedException).Item).toEqual({
      tenantId: { S: stored.tenantId },
      plan: { S: stored.plan },
      version: { N: String(stored.version) },
    });
  });

  it('applies TransactWriteItems across tables, or nothing', async () => {
    // Prepare
    const { documentClient, resources } = localAws();
    const site = { tenantId: 'tenant-tx', siteId: 'site-1', name: 'Blog' };
    const sync = {
      syncId: 'sync-tx',
      rec: 'SYNC',
      siteKey: 'tenant-tx#site-1',
    };

    // Act
    await documentClient.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: resources.tables.sites, Item: site } },
          { Put: { TableName: resources.tables.syncs, Item: sync } },
        ],
      }),
    );
    const cancelled = await documentClient
      .send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: resources.tables.sites,
                Item: { ...site, name: 'Renamed' },
              },
            },
            {
              Put: {
                TableName: resources.tables.syncs,
                Item: sync,
                // The sync record exists, so this cancels both writes.
                ConditionExpression: 'attribute_not_exists(syncId)',
              },
            },
          ],
        }),
      )
      .catch((error: unknown) => error);

    // Assess
    expect(cancelled).toBeInstanceOf(TransactionCanceledException);
    const { Item } = await documentClient.send(
      new GetCommand({
        TableName: resources.tables.sites,
        Key: { tenantId: site.tenantId, siteId: site.siteId },
      }),
    );
    expect(Item).toEqual(site);
  });
});

describe('SQS emulator', () => {
  it('moves a message received maxReceiveCount times to the DLQ', async () => {
    // Prepare
    const { sqs, provisionIsolated } = localAws();
    const maxReceiveCount = 2;
    const { queues } = await provisionIsolated('dlq', { maxReceiveCount });
    const { MessageId } = await sqs.send(
      new SendMessageCommand({
        QueueUrl: queues.pages.url,
        MessageBody: 'poison',
      }),
    );
    const receive = (queueUrl: string) =>
      // Visibility 0: the message is back at once, as after a failed try.
      sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, VisibilityTimeout: 0 }),
      );

    // Act
    const deliveries = [];
    for (let i = 0; i < maxReceiveCount; i++) {
      deliveries.push(...((await receive(queues.pages.url)).Messages ?? []));
    }
    const afterLimit = await receive(queues.pages.url);
    const deadLetters = await receive(queues.pages.dlqUrl);

    // Assess
    expect(deliveries.map((m) => m.MessageId)).toEqual(
      Array(maxReceiveCount).fill(MessageId),
    );
    expect(afterLimit.Messages).toBeUndefined();
    expect(deadLetters.Messages?.map((m) => [m.MessageId, m.Body])).toEqual([
      [MessageId, 'poison'],
    ]);
  });

  it('round-trips MessageAttributes of every type', async () => {
    // Prepare
    const { sqs, provisionIsolated } = localAws();
    const { queues } = await provisionIsolated('attrs');
    const attributes = {
      correlationId: { DataType: 'String', StringValue: 'corr-42' },
      attempt: { DataType: 'Number', StringValue: '3' },
      digest: {
        DataType: 'Binary',
        BinaryValue: new Uint8Array([0, 1, 254, 255]),
      },
    };
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queues.media.url,
        MessageBody: '{}',
        MessageAttributes: attributes,
      }),
    );

    // Act
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queues.media.url,
        MessageAttributeNames: ['All'],
      }),
    );

    // Assess
    expect(Messages?.[0]?.MessageAttributes).toEqual(attributes);
  });

  it('hides a message until ChangeMessageVisibility reveals it', async () => {
    // Prepare
    const { sqs, provisionIsolated, visibilityTimeoutSeconds } = localAws();
    const { queues } = await provisionIsolated('visibility');
    const queueUrl = queues.terms.url;
    await sqs.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'later' }),
    );
    const receive = () =>
      sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
      );
    const first = (await receive()).Messages?.[0];
    const whileHidden = await receive();

    // Act
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: first?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const again = (await receive()).Messages?.[0];

    // Assess
    expect(visibilityTimeoutSeconds).toBeGreaterThan(0);
    expect(whileHidden.Messages).toBeUndefined();
    expect(again?.MessageId).toBe(first?.MessageId);
    expect(again?.Attributes?.ApproximateReceiveCount).toBe('2');
  });

  it('serves the queue URLs of the environment to a local client', async () => {
    // Prepare
    const { env, sqsEndpoint } = localAws();
    const client = createLocalSqsClient(sqsEndpoint);
    const queueUrl = env[QUEUES.embeddings.envVar];

    // Act
    const sent = await client.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'embed' }),
    );
    client.destroy();

    // Assess
    expect(sent.MessageId).toEqual(expect.any(String));
  });
});

describe('local clients and environment', () => {
  let saved: NodeJS.ProcessEnv = {};
  beforeEach(() => {
    saved = { ...process.env };
  });
  afterEach(() => {
    for (const name of Object.keys(process.env)) {
      if (!(name in saved)) delete process.env[name];
    }
    Object.assign(process.env, saved);
  });

  it('ignore the region, credentials and settings of env and profiles', async () => {
    // Prepare
    const dir = await tempDir();
    const configFile = join(dir, 'config');
    await writeFile(
      configFile,
      '[profile elsewhere]\nregion = eu-west-3\ndefaults_mode = auto\n' +
        'max_attempts = 9\n',
    );
    Object.assign(process.env, {
      AWS_CONFIG_FILE: configFile,
      AWS_SHARED_CREDENTIALS_FILE: configFile,
      AWS_PROFILE: 'elsewhere',
      AWS_REGION: 'eu-west-3',
      AWS_ACCESS_KEY_ID: 'from-env',
    });
    const client = createLocalSqsClient(localAws().sqsEndpoint);

    // Act
    const { defaultsMode } = client.config;
    const config = {
      region: await client.config.region(),
      accessKeyId: (await client.config.credentials()).accessKeyId,
      defaultsMode:
        typeof defaultsMode === 'function'
          ? await defaultsMode()
          : defaultsMode,
      maxAttempts: await client.config.maxAttempts(),
    };
    const answered = await client.send(
      new GetQueueAttributesCommand({
        QueueUrl: localAws().resources.queues.posts.url,
        AttributeNames: ['QueueArn'],
      }),
    );
    client.destroy();

    // Assess
    expect(config).toEqual({
      region: LOCAL_REGION,
      accessKeyId: LOCAL_CREDENTIALS.accessKeyId,
      defaultsMode: 'standard',
      maxAttempts: 3,
    });
    expect(answered.Attributes?.QueueArn).toBe(
      localAws().resources.queues.posts.arn,
    );
  });

  it('name every table and queue of shared/resources.ts', () => {
    // Prepare
    const { dynamoDbEndpoint, sqsEndpoint, resources } = localAws();

    // Act
    const env = localAwsEnvironment({
      dynamoDbEndpoint,
      sqsEndpoint,
      resources,
    });

    // Assess
    expect(env).toEqual({
      DYNAMODB_ENDPOINT: dynamoDbEndpoint,
      SQS_ENDPOINT: sqsEndpoint,
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: 'true',
      ...Object.fromEntries(
        (Object.keys(TABLES) as TableName[]).map((name) => [
          TABLES[name].envVar,
          resources.tables[name],
        ]),
      ),
      ...Object.fromEntries(
        (Object.keys(QUEUES) as QueueName[]).flatMap((name) => [
          [QUEUES[name].envVar, resources.queues[name].url],
          [QUEUES[name].dlqEnvVar, resources.queues[name].dlqUrl],
        ]),
      ),
    });
    expect(process.env[TABLES.syncs.envVar]).toBe(resources.tables.syncs);
  });
});
