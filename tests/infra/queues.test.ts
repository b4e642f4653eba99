import { beforeAll, describe, expect, test } from 'vitest';
import { JOB_TYPES } from '../../shared/resources.js';
import { checkMappings } from './support/checks/mappings.js';
import {
  checkDeadLetters,
  checkEncryption,
  checkVisibility,
  checkWorkerTimings,
} from './support/checks/queues.js';
import { cfnOf, logicalId } from './support/stack-ids.js';
import { type SynthResult, synthStage } from './support/synth-stage.js';

let dev: SynthResult;

beforeAll(() => {
  dev = synthStage({ stage: 'dev' });
});

describe('dead letters', () => {
  test('every queue but a dead-letter queue redrives into its own', () => {
    expect(checkDeadLetters(dev.template)).toEqual([]);
  });

  test('a queue whose redrive policy is removed is reported', () => {
    // Prepare
    const broken = synthStage({
      stage: 'dev',
      breakWith: (stack) =>
        cfnOf(stack.work.queues.terms).addPropertyDeletionOverride(
          'RedrivePolicy',
        ),
    });
    const { queues, deadLetterQueues } = broken.stack.work;

    // Act
    const problems = checkDeadLetters(broken.template);

    // Assess: the queue, and its orphaned dead-letter queue with it.
    expect(problems.sort()).toEqual(
      [
        `${logicalId(queues.terms)} has no dead-letter queue`,
        `${logicalId(deadLetterQueues.terms)} has no dead-letter queue`,
      ].sort(),
    );
  });
});

describe('visibility timeout', () => {
  test('is at least six worker timeouts on every consumed queue', () => {
    expect(checkVisibility(dev.template)).toEqual([]);
  });

  test('a queue hiding messages for one worker timeout is reported', () => {
    // Prepare
    const timeout = dev.stack.workers.workers.media.function.timeout;
    const broken = synthStage({
      stage: 'dev',
      breakWith: (stack) =>
        cfnOf(stack.work.queues.media).addPropertyOverride(
          'VisibilityTimeout',
          timeout?.toSeconds(),
        ),
    });

    // Act
    const problems = checkVisibility(broken.template);

    // Assess
    expect(problems).toEqual([
      `${logicalId(broken.stack.work.queues.media)} hides messages ` +
        `${timeout?.toSeconds()} s, less than 6 × the ` +
        `${timeout?.toSeconds()} s of ` +
        logicalId(broken.stack.workers.workers.media.function),
    ]);
  });
});

describe('encryption', () => {
  test('every queue is encrypted and refuses plain HTTP', () => {
    expect(checkEncryption(dev.template)).toEqual([]);
  });

  test('a queue without encryption or TLS policy is reported', () => {
    // Prepare
    const broken = synthStage({
      stage: 'dev',
      breakWith: (stack) => {
        const posts = stack.work.queues.posts;
        cfnOf(posts).addPropertyDeletionOverride('SqsManagedSseEnabled');
        posts.node.tryRemoveChild('Policy');
      },
    });
    const posts = logicalId(broken.stack.work.queues.posts);

    // Act
    const problems = checkEncryption(broken.template);

    // Assess
    expect(problems).toEqual([
      `${posts} is not encrypted`,
      `${posts} accepts requests without TLS`,
    ]);
  });
});

describe('worker timings', () => {
  test("each worker's receive count and lease agree with its queue", () => {
    expect(checkWorkerTimings(dev.template)).toEqual([]);
  });

  test('a worker told another receive count than its queue is reported', () => {
    // Prepare
    const broken = synthStage({
      stage: 'dev',
      breakWith: (stack) =>
        stack.workers.workers.pages.function.addEnvironment(
          'MAX_RECEIVE_COUNT',
          '99',
        ),
    });
    const { workers, work } = broken.stack;

    // Act
    const problems = checkWorkerTimings(broken.template);

    // Assess
    expect(problems).toEqual([
      `${logicalId(workers.workers.pages.function)}: MAX_RECEIVE_COUNT ` +
        `differs from ${logicalId(work.queues.pages)}'s`,
    ]);
  });
});

describe('event source mappings', () => {
  test('every job queue feeds its worker through one mapping', () => {
    const mappings = Object.values(dev.template.Resources).filter(
      (resource) => resource.Type === 'AWS::Lambda::EventSourceMapping',
    );
    expect(mappings).toHaveLength(JOB_TYPES.length);
  });

  test('every mapping reports batch item failures and caps concurrency', () => {
    expect(checkMappings(dev.template)).toEqual([]);
  });

  test('a mapping without partial failures or a cap is reported', () => {
    // Prepare
    const broken = synthStage({
      stage: 'dev',
      breakWith: (stack) => {
        const mapping = cfnOf(stack.workers.mappings.terms);
        mapping.addPropertyDeletionOverride('FunctionResponseTypes');
        mapping.addPropertyDeletionOverride('ScalingConfig');
      },
    });
    const mapping = logicalId(broken.stack.workers.mappings.terms);

    // Act
    const problems = checkMappings(broken.template);

    // Assess
    expect(problems).toEqual([
      `${mapping} does not report batch item failures`,
      `${mapping} has no maximum concurrency`,
    ]);
  });
});
