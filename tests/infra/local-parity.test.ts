/**
 * The local runtime's tables and queues are the stack's: what DynamoDB
 * Local and the SQS emulator report after provisioning is compared with
 * the synthesized template, key by key and redrive by redrive.
 */
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLocalDynamoDbClient,
  createLocalSqsClient,
} from '../../local/aws/clients.js';
import { type LocalAws, startLocalAws } from '../../local/aws/local-aws.js';
import {
  QUEUES,
  type QueueName,
  TABLES,
  type TableName,
} from '../../shared/resources.js';
import { logicalId } from './support/stack-ids.js';
import { type SynthResult, synthStage } from './support/synth-stage.js';

interface KeyShape {
  keys: string[];
  attributes: string[];
  indexes: string[];
  ttl: string | undefined;
}

let dev: SynthResult;
let aws: LocalAws;

beforeAll(async () => {
  dev = synthStage({ stage: 'dev' });
  aws = await startLocalAws({
    prefix: `parity-${process.pid}`,
    maxReceiveCount: 3,
    visibilityTimeoutSeconds: 5,
  });
}, 120_000);

afterAll(async () => {
  await aws?.stop();
});

type Key = { AttributeName?: string; KeyType?: string };
const keys = (schema: Key[] | undefined) =>
  (schema ?? []).map((key) => `${key.AttributeName}:${key.KeyType}`);

function templateShape(name: TableName): KeyShape {
  const resource =
    dev.template.Resources[logicalId(dev.stack.data.tables[name])];
  const props = (resource?.Properties ?? {}) as {
    KeySchema?: Key[];
    AttributeDefinitions?: { AttributeName: string; AttributeType: string }[];
    GlobalSecondaryIndexes?: { IndexName: string; KeySchema: Key[] }[];
    TimeToLiveSpecification?: { AttributeName: string; Enabled: boolean };
  };
  return {
    keys: keys(props.KeySchema),
    attributes: (props.AttributeDefinitions ?? [])
      .map((a) => `${a.AttributeName}:${a.AttributeType}`)
      .sort(),
    indexes: (props.GlobalSecondaryIndexes ?? [])
      .map((index) => `${index.IndexName}(${keys(index.KeySchema).join(',')})`)
      .sort(),
    ttl: props.TimeToLiveSpecification?.Enabled
      ? props.TimeToLiveSpecification.AttributeName
      : undefined,
  };
}

async function localShape(name: TableName): Promise<KeyShape> {
  const dynamo = createLocalDynamoDbClient(aws.dynamoDbEndpoint);
  const tableName = aws.resources.tables[name];
  const { Table } = await dynamo.send(
    new DescribeTableCommand({ TableName: tableName }),
  );
  const ttl = await dynamo.send(
    new DescribeTimeToLiveCommand({ TableName: tableName }),
  );
  return {
    keys: keys(Table?.KeySchema),
    attributes: (Table?.AttributeDefinitions ?? [])
      .map((a) => `${a.AttributeName}:${a.AttributeType}`)
      .sort(),
    indexes: (Table?.GlobalSecondaryIndexes ?? [])
      .map((index) => `${index.IndexName}(${keys(index.KeySchema).join(',')})`)
      .sort(),
    ttl:
      ttl.TimeToLiveDescription?.TimeToLiveStatus === 'ENABLED'
        ? ttl.TimeToLiveDescription.AttributeName
        : undefined,
  };
}

describe('the local runtime and the stack', () => {
  it.each(Object.keys(TABLES) as TableName[])(
    'give the %s table the same keys, indexes and time to live',
    async (name) => {
      expect(await localShape(name)).toEqual(templateShape(name));
    },
  );

  it.each(Object.keys(QUEUES) as QueueName[])(
    'give the %s queue a redrive to its own dead-letter queue',
    async (name) => {
      // Prepare
      const sqs = createLocalSqsClient(aws.sqsEndpoint);
      const queue = aws.resources.queues[name];
      const stackQueue =
        dev.template.Resources[logicalId(dev.stack.work.queues[name])];
      const stackRedrive = (
        stackQueue?.Properties as {
          RedrivePolicy?: {
            deadLetterTargetArn: unknown;
            maxReceiveCount: number;
          };
        }
      )?.RedrivePolicy;
      const stackDlq = logicalId(dev.stack.work.deadLetterQueues[name]);

      // Act
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queue.url,
          AttributeNames: ['RedrivePolicy'],
        }),
      );
      const localRedrive = JSON.parse(Attributes?.RedrivePolicy ?? '{}');

      // Assess: both point at their own dead letters; the receive count is
      // per stage (timings), so only its presence is compared.
      expect(localRedrive.deadLetterTargetArn).toBe(queue.dlqArn);
      expect(JSON.stringify(stackRedrive?.deadLetterTargetArn)).toContain(
        stackDlq,
      );
      expect(typeof localRedrive.maxReceiveCount).not.toBe('undefined');
      expect(stackRedrive?.maxReceiveCount).toBeGreaterThan(0);
    },
  );
});
