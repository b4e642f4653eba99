import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, test } from 'vitest';
import { JOB_TYPES, type JobType } from '../../shared/resources.js';
import { WORKERS } from '../../shared/routes.js';
import {
  checkGrants,
  type GrantSummary,
  grantsOfFunction,
} from './support/checks/grants.js';
import { functionIds } from './support/stack-ids.js';
import { type SynthResult, synthStage } from './support/synth-stage.js';

// What each handler touches, written out here from the design rather than
// read from infra/access, so the test holds the stack to it.
const READ = [
  'dynamodb:BatchGetItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:GetItem',
  'dynamodb:Query',
];
const READ_WRITE = [
  ...READ,
  'dynamodb:BatchWriteItem',
  'dynamodb:DeleteItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
];
const QUERY = ['dynamodb:Query'];
const SEND = ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'];
const CONSUME_AND_SEND = [
  ...SEND,
  'sqs:ChangeMessageVisibility',
  'sqs:DeleteMessage',
  'sqs:ReceiveMessage',
];
const GET_SECRET = ['secretsmanager:GetSecretValue'];

function expected(stage: string): Record<string, GrantSummary> {
  // Every function writes its own logs and traces.
  const base: GrantSummary = {
    'own-log-group': ['logs:CreateLogStream', 'logs:PutLogEvents'],
    '*': ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
  };
  const secrets = `secret:wp-sync/${stage}/*`;
  const worker = (job: JobType): GrantSummary => ({
    ...base,
    [`queue:${job}`]: CONSUME_AND_SEND,
    'queue:embeddings': SEND,
    // A page whose wait budget ran out goes there directly.
    [`dead-letters:${job}`]: SEND,
    'table:syncs': READ_WRITE,
    'index:syncs/bySite': QUERY,
    'index:syncs/pending': QUERY,
    'table:items': READ_WRITE,
    'table:sites': READ,
    'table:tenants': READ,
    [secrets]: GET_SECRET,
  });
  return {
    'register-site': {
      ...base,
      'table:sites': READ_WRITE,
      'table:idempotency': READ_WRITE,
      [secrets]: [
        'secretsmanager:CreateSecret',
        'secretsmanager:GetSecretValue',
        'secretsmanager:PutSecretValue',
      ],
    },
    'start-sync': {
      ...base,
      'table:sites': READ,
      'table:syncs': READ_WRITE,
      'index:syncs/bySite': QUERY,
      'table:idempotency': READ_WRITE,
      'queue:terms': SEND,
      'queue:media': SEND,
      'queue:pages': SEND,
      'queue:posts': SEND,
      [secrets]: GET_SECRET,
    },
    'list-sites': { ...base, 'table:sites': READ },
    'get-site': { ...base, 'table:sites': READ },
    'update-site-credentials': {
      ...base,
      'table:sites': READ_WRITE,
      [secrets]: [
        'secretsmanager:CreateSecret',
        'secretsmanager:PutSecretValue',
      ],
    },
    'delete-site': {
      ...base,
      'table:sites': READ_WRITE,
      'table:syncs': READ_WRITE,
      'index:syncs/bySite': QUERY,
      'table:items': READ_WRITE,
      [secrets]: ['secretsmanager:DeleteSecret'],
    },
    'get-sync-report': { ...base, 'table:syncs': READ },
    'cancel-sync': {
      ...base,
      'table:syncs': READ_WRITE,
      'table:idempotency': READ_WRITE,
    },
    ...Object.fromEntries(JOB_TYPES.map((job) => [WORKERS[job], worker(job)])),
  };
}

let dev: SynthResult;
let prod: SynthResult;

beforeAll(() => {
  dev = synthStage({ stage: 'dev' });
  prod = synthStage({ stage: 'prod' });
});

describe('IAM grants', () => {
  test('each function reaches exactly its resources', () => {
    expect(
      checkGrants(dev.template, functionIds(dev.stack), expected('dev')),
    ).toEqual([]);
    expect(
      checkGrants(prod.template, functionIds(prod.stack), expected('prod')),
    ).toEqual([]);
  });

  test("the secrets grant stays under the stage's prefix", () => {
    // Prepare
    const id = functionIds(prod.stack)['start-sync'] ?? '';

    // Act
    const grants = grantsOfFunction(prod.template, id);

    // Assess
    expect(
      Object.keys(grants).filter((label) => label.startsWith('secret:')),
    ).toEqual(['secret:wp-sync/prod/*']);
  });

  test('a grant beyond what a function touches is reported', () => {
    // Prepare
    const broken = synthStage({
      stage: 'dev',
      breakWith: (stack) => {
        stack.data.tables.items.grantReadData(
          stack.api.handlers['get-sync-report'].role,
        );
        stack.workers.workers.posts.role.addToPrincipalPolicy(
          new PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }),
        );
      },
    });

    // Act
    const problems = checkGrants(
      broken.template,
      functionIds(broken.stack),
      expected('dev'),
    );

    // Assess
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^get-sync-report on table:items: has \[/);
    expect(problems[1]).toMatch(
      /^sync-posts-worker on \*: has \[s3:GetObject,/,
    );
  });

  test('a grant a function needs but lacks is reported', () => {
    // Act
    const problems = checkGrants(dev.template, functionIds(dev.stack), {
      ...expected('dev'),
      'get-sync-report': {
        ...expected('dev')['get-sync-report'],
        'table:items': READ,
      },
    });

    // Assess
    expect(problems).toEqual([
      `get-sync-report on table:items: has [], should have [${READ.join(',')}]`,
    ]);
  });
});
