/**
 * Checks of the SQS event source mappings that feed the workers.
 */
import {
  type CfnTemplate,
  propertiesOf,
  resourcesOfType,
  targetOf,
} from '../template.js';

interface MappingProperties {
  EventSourceArn: unknown;
  FunctionResponseTypes: string[];
  ScalingConfig: { MaximumConcurrency: number };
}

/**
 * Every mapping reports batch item failures, so only the failed records
 * of a batch come back, and caps how many invocations it runs at once.
 */
export function checkMappings(template: CfnTemplate): string[] {
  const problems: string[] = [];
  for (const [id, mapping] of resourcesOfType(
    template,
    'AWS::Lambda::EventSourceMapping',
  )) {
    const properties = propertiesOf<MappingProperties>(mapping);
    if (
      !properties.FunctionResponseTypes?.includes('ReportBatchItemFailures')
    ) {
      problems.push(`${id} does not report batch item failures`);
    }
    if (typeof properties.ScalingConfig?.MaximumConcurrency !== 'number') {
      problems.push(`${id} has no maximum concurrency`);
    }
  }
  return problems;
}

/** The logical ids of the queues some mapping consumes. */
export function consumedQueueIds(template: CfnTemplate): string[] {
  return resourcesOfType(template, 'AWS::Lambda::EventSourceMapping').flatMap(
    ([, mapping]) => {
      const target = targetOf(
        propertiesOf<MappingProperties>(mapping).EventSourceArn,
      );
      return target ? [target] : [];
    },
  );
}
