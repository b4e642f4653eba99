/**
 * Turns a {@link FunctionAccess} into IAM statements and environment
 * variables on one function.
 */
import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  QUEUES,
  type QueueName,
  TABLES,
  type TableName,
} from '../../shared/resources.js';
import type { HandlerFunction } from '../constructs/HandlerFunction.js';
import type { FunctionAccess, SecretAction } from './function-access.js';

// Item-level operations only: no scans, streams or table management.
const TABLE_READ = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
];
// TransactWriteItems is authorised per item against these.
const TABLE_WRITE = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];

const SECRET_ACTIONS: Record<SecretAction, string> = {
  create: 'secretsmanager:CreateSecret',
  put: 'secretsmanager:PutSecretValue',
  // Powertools' SecretsProvider reads with GetSecretValue only.
  get: 'secretsmanager:GetSecretValue',
  // Deleting a site deletes its password at once, without recovery.
  delete: 'secretsmanager:DeleteSecret',
};

/** The resources a grant can name. */
export interface GrantableResources {
  readonly tables: Readonly<Record<TableName, ITable>>;
  readonly queues: Readonly<Record<QueueName, IQueue>>;
  /** Each queue's dead-letter queue, by the source queue's name. */
  readonly deadLetterQueues: Readonly<Record<QueueName, IQueue>>;
  /** Prefix of the stage's secret names. */
  readonly secretPrefix: string;
}

/**
 * The ARN pattern of every secret under a prefix. Secrets are created at
 * run time per site, so no grant can name them one by one; the trailing
 * wildcard also covers the random suffix Secrets Manager appends.
 */
export function secretArnPattern(scope: Construct, prefix: string): string {
  return Stack.of(scope).formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${prefix}/*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/**
 * Grants `handler` exactly `access` and sets the variables naming what it
 * may reach. Every table name is set, since the handlers' configuration
 * requires them all; a name grants nothing.
 */
export function grantAccess(
  handler: HandlerFunction,
  access: FunctionAccess,
  resources: GrantableResources,
): void {
  const fn = handler.function;
  for (const name of Object.keys(TABLES) as TableName[]) {
    fn.addEnvironment(TABLES[name].envVar, resources.tables[name].tableName);
  }
  for (const [name, tableAccess] of Object.entries(access.tables)) {
    const table = resources.tables[name as TableName];
    handler.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions:
          tableAccess.level === 'readwrite'
            ? [...TABLE_READ, ...TABLE_WRITE]
            : TABLE_READ,
        resources: [table.tableArn],
      }),
    );
    const indexes = tableAccess.indexes ?? [];
    if (indexes.length > 0) {
      handler.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['dynamodb:Query'],
          resources: indexes.map((index) => `${table.tableArn}/index/${index}`),
        }),
      );
    }
  }
  for (const name of access.sendsTo) {
    const queue = resources.queues[name];
    queue.grantSendMessages(handler.role);
    fn.addEnvironment(QUEUES[name].envVar, queue.queueUrl);
  }
  for (const name of access.sendsToDeadLetters ?? []) {
    const deadLetters = resources.deadLetterQueues[name];
    deadLetters.grantSendMessages(handler.role);
    fn.addEnvironment(QUEUES[name].dlqEnvVar, deadLetters.queueUrl);
  }
  if (access.secrets.length > 0) {
    const pattern = secretArnPattern(handler, resources.secretPrefix);
    handler.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: access.secrets.map((action) => SECRET_ACTIONS[action]),
        resources: [pattern],
      }),
    );
    Validations.of(handler.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${literal(handler, pattern)}]`,
      reason:
        'Secrets are created at run time, one per registered site, under ' +
        "the stage's prefix; the wildcard covers the tenant/site path and " +
        'the random suffix Secrets Manager appends, nothing outside the ' +
        'prefix.',
    });
  }
}

/**
 * An ARN as cdk-nag spells it in a finding id. The stack's explicit
 * account and region (and partition literals) leave no token in it.
 */
function literal(scope: Construct, arn: string): string {
  const resolved: unknown = Stack.of(scope).resolve(arn);
  if (typeof resolved !== 'string') {
    throw new Error(`ARN ${arn} is not a literal; give the stack an env`);
  }
  return resolved;
}
