/**
 * Checks of the queues: dead letters, visibility, encryption and TLS.
 */
import {
  type CfnTemplate,
  propertiesOf,
  resourcesOfType,
  targetOf,
} from '../template.js';

interface QueueProperties {
  RedrivePolicy: { deadLetterTargetArn: unknown; maxReceiveCount: unknown };
  VisibilityTimeout: number;
  SqsManagedSseEnabled: boolean;
  KmsMasterKeyId: unknown;
}

interface QueuePolicyProperties {
  Queues: unknown[];
  PolicyDocument: {
    Statement: {
      Effect: string;
      Action: unknown;
      Condition?: { Bool?: Record<string, unknown> };
    }[];
  };
}

/** Logical ids of the queues some other queue dead-letters into. */
export function deadLetterQueueIds(template: CfnTemplate): Set<string> {
  return new Set(
    resourcesOfType(template, 'AWS::SQS::Queue').flatMap(([, queue]) => {
      const target = targetOf(
        propertiesOf<QueueProperties>(queue).RedrivePolicy?.deadLetterTargetArn,
      );
      return target ? [target] : [];
    }),
  );
}

/**
 * Every queue that is not itself a dead-letter queue redrives into a queue
 * of the template after a set number of receives, and no dead-letter
 * queue is shared.
 */
export function checkDeadLetters(template: CfnTemplate): string[] {
  const problems: string[] = [];
  const queues = new Map(resourcesOfType(template, 'AWS::SQS::Queue'));
  const deadLetters = deadLetterQueueIds(template);
  const seen = new Map<string, string>();
  for (const [id, queue] of queues) {
    if (deadLetters.has(id)) {
      continue;
    }
    const redrive = propertiesOf<QueueProperties>(queue).RedrivePolicy;
    const target = targetOf(redrive?.deadLetterTargetArn);
    if (!target || !queues.has(target)) {
      problems.push(`${id} has no dead-letter queue`);
      continue;
    }
    if (typeof redrive?.maxReceiveCount !== 'number') {
      problems.push(`${id} sets no maxReceiveCount`);
    }
    const other = seen.get(target);
    if (other) {
      problems.push(`${id} shares dead-letter queue ${target} with ${other}`);
    }
    seen.set(target, id);
  }
  return problems;
}

/**
 * The visibility timeout of every queue a function consumes is at least
 * six times that function's timeout.
 */
export function checkVisibility(template: CfnTemplate): string[] {
  const problems: string[] = [];
  for (const [id, mapping] of resourcesOfType(
    template,
    'AWS::Lambda::EventSourceMapping',
  )) {
    const { EventSourceArn, FunctionName } = propertiesOf<{
      EventSourceArn: unknown;
      FunctionName: unknown;
    }>(mapping);
    const queue = template.Resources[targetOf(EventSourceArn) ?? ''];
    const fn = template.Resources[targetOf(FunctionName) ?? ''];
    if (!queue || !fn) {
      problems.push(`${id} does not join a queue and a function`);
      continue;
    }
    // Lambda's default when a function sets none.
    const timeout = propertiesOf<{ Timeout: number }>(fn).Timeout ?? 3;
    // SQS's default when a queue sets none.
    const visibility =
      propertiesOf<QueueProperties>(queue).VisibilityTimeout ?? 30;
    if (visibility < 6 * timeout) {
      problems.push(
        `${targetOf(EventSourceArn)} hides messages ${visibility} s, ` +
          `less than 6 × the ${timeout} s of ${targetOf(FunctionName)}`,
      );
    }
  }
  return problems;
}

/** Every queue is encrypted at rest and refuses requests without TLS. */
export function checkEncryption(template: CfnTemplate): string[] {
  const problems: string[] = [];
  const policies = resourcesOfType(template, 'AWS::SQS::QueuePolicy').map(
    ([, policy]) => propertiesOf<QueuePolicyProperties>(policy),
  );
  for (const [id, queue] of resourcesOfType(template, 'AWS::SQS::Queue')) {
    const properties = propertiesOf<QueueProperties>(queue);
    if (!properties.SqsManagedSseEnabled && !properties.KmsMasterKeyId) {
      problems.push(`${id} is not encrypted`);
    }
    const deniesPlainHttp = policies.some(
      (policy) =>
        (policy.Queues ?? []).some((queueRef) => targetOf(queueRef) === id) &&
        (policy.PolicyDocument?.Statement ?? []).some(
          (statement) =>
            statement.Effect === 'Deny' &&
            statement.Condition?.Bool?.['aws:SecureTransport'] === 'false',
        ),
    );
    if (!deniesPlainHttp) {
      problems.push(`${id} accepts requests without TLS`);
    }
  }
  return problems;
}

/**
 * What a worker is told agrees with the queue it consumes: its
 * `MAX_RECEIVE_COUNT` is the queue's (so it knows a delivery is the last),
 * its heartbeat asks for the queue's visibility timeout, and its
 * `LEASE_SECONDS` outlasts its own timeout but not the visibility timeout
 * (so a crashed run's page is free when SQS hands it out again).
 */
export function checkWorkerTimings(template: CfnTemplate): string[] {
  const problems: string[] = [];
  for (const [, mapping] of resourcesOfType(
    template,
    'AWS::Lambda::EventSourceMapping',
  )) {
    const { EventSourceArn, FunctionName } = propertiesOf<{
      EventSourceArn: unknown;
      FunctionName: unknown;
    }>(mapping);
    const queueId = targetOf(EventSourceArn) ?? '';
    const fnId = targetOf(FunctionName) ?? '';
    const queue = propertiesOf<QueueProperties>(
      template.Resources[queueId] ?? { Type: '' },
    );
    const fn = propertiesOf<{
      Timeout: number;
      Environment: { Variables: Record<string, unknown> };
    }>(template.Resources[fnId] ?? { Type: '' });
    const variables = fn.Environment?.Variables ?? {};
    const lease = Number(variables.LEASE_SECONDS);
    if (
      Number(variables.MAX_RECEIVE_COUNT) !==
      queue.RedrivePolicy?.maxReceiveCount
    ) {
      problems.push(`${fnId}: MAX_RECEIVE_COUNT differs from ${queueId}'s`);
    }
    if (
      Number(variables.VISIBILITY_TIMEOUT_SECONDS) !==
      (queue.VisibilityTimeout ?? 30)
    ) {
      problems.push(
        `${fnId}: VISIBILITY_TIMEOUT_SECONDS differs from ${queueId}'s`,
      );
    }
    if (!(lease >= (fn.Timeout ?? 3))) {
      problems.push(`${fnId}: LEASE_SECONDS is shorter than its timeout`);
    }
    if (!(lease < (queue.VisibilityTimeout ?? 30))) {
      problems.push(`${fnId}: LEASE_SECONDS outlasts ${queueId}'s visibility`);
    }
  }
  return problems;
}
