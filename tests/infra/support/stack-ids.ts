/**
 * Logical ids of the stack's resources, read from its constructs so a
 * test can name what a check should report.
 */
import { type CfnResource, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { WpSyncStack } from '../../../infra/stacks/WpSyncStack.js';
import { JOB_TYPES } from '../../../shared/resources.js';
import { WORKERS } from '../../../shared/routes.js';

/** The logical id of a construct's CloudFormation resource. */
export function logicalId(construct: IConstruct): string {
  const resource = (construct.node.defaultChild ?? construct) as CfnResource;
  return Stack.of(construct).getLogicalId(resource);
}

/** The CloudFormation resource behind an L2 construct. */
export function cfnOf(construct: IConstruct): CfnResource {
  return construct.node.defaultChild as CfnResource;
}

/** Each handler's function logical id, by handler file name. */
export function functionIds(stack: WpSyncStack): Record<string, string> {
  return {
    ...Object.fromEntries(
      Object.entries(stack.api.handlers).map(([handler, fn]) => [
        handler,
        logicalId(fn.function),
      ]),
    ),
    ...Object.fromEntries(
      JOB_TYPES.map((job) => [
        WORKERS[job],
        logicalId(stack.workers.workers[job].function),
      ]),
    ),
  };
}
