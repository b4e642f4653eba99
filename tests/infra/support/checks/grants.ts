/**
 * Reads what each function's role may do, resource by resource, so a test
 * can compare it with what the function is meant to touch.
 */
import { QUEUES, TABLES } from '../../../../shared/resources.js';
import {
  type CfnTemplate,
  namesFromEnvironment,
  propertiesOf,
  resourcesOfType,
  targetOf,
} from '../template.js';
import { deadLetterQueueIds } from './queues.js';

/** The actions allowed on each resource, by a readable resource label. */
export type GrantSummary = Record<string, readonly string[]>;

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

/**
 * Labels: `table:NAME`, `index:NAME/INDEX`, `queue:NAME`,
 * `dead-letters:NAME`, `own-log-group`, `secret:NAME-PATTERN`, `*`, and
 * `other:…` for anything else.
 */
export function grantsOfFunction(
  template: CfnTemplate,
  functionId: string,
): GrantSummary {
  const fn = template.Resources[functionId];
  if (!fn) {
    throw new Error(`No function ${functionId}`);
  }
  const fnProperties = propertiesOf<{
    Role: unknown;
    LoggingConfig: { LogGroup: unknown };
  }>(fn);
  const roleId = targetOf(fnProperties.Role) ?? '';
  const labels = resourceLabels(template);
  labels.set(
    targetOf(fnProperties.LoggingConfig?.LogGroup) ?? '',
    'own-log-group',
  );

  const summary: Record<string, Set<string>> = {};
  for (const statement of statementsOfRole(template, roleId)) {
    if (statement.Effect !== 'Allow') {
      continue;
    }
    const actions = [statement.Action].flat();
    for (const resource of [statement.Resource].flat()) {
      const label = labelOf(resource, labels);
      summary[label] ??= new Set();
      for (const action of actions) {
        summary[label].add(action);
      }
    }
  }
  return Object.fromEntries(
    Object.entries(summary).map(([label, actions]) => [
      label,
      [...actions].sort(),
    ]),
  );
}

/**
 * Compares each function's grants with what it should have, naming every
 * resource that is missing, extra or reached with other actions.
 */
export function checkGrants(
  template: CfnTemplate,
  functionIds: Readonly<Record<string, string>>,
  expected: Readonly<Record<string, GrantSummary>>,
): string[] {
  const problems: string[] = [];
  for (const [handler, functionId] of Object.entries(functionIds)) {
    const actual = grantsOfFunction(template, functionId);
    const wanted = expected[handler] ?? {};
    for (const label of new Set([
      ...Object.keys(actual),
      ...Object.keys(wanted),
    ])) {
      const has = (actual[label] ?? []).join(',');
      const should = [...(wanted[label] ?? [])].sort().join(',');
      if (has !== should) {
        problems.push(
          `${handler} on ${label}: has [${has}], should have [${should}]`,
        );
      }
    }
  }
  return problems;
}

/**
 * Every statement that applies to a role: its inline policies and the
 * policies attached to it. A managed policy is reported as a statement on
 * `other:` so it cannot slip through.
 */
function statementsOfRole(template: CfnTemplate, roleId: string): Statement[] {
  const role = template.Resources[roleId];
  const roleProperties = propertiesOf<{
    Policies: { PolicyDocument: { Statement: Statement[] } }[];
    ManagedPolicyArns: unknown[];
  }>(role ?? { Type: '' });
  const statements: Statement[] = [
    ...(roleProperties.Policies ?? []).flatMap(
      (policy) => policy.PolicyDocument.Statement,
    ),
    ...(roleProperties.ManagedPolicyArns ?? []).map((arn) => ({
      Effect: 'Allow',
      Action: 'managed-policy',
      Resource: { managedPolicy: arn },
    })),
  ];
  for (const [, policy] of resourcesOfType(template, 'AWS::IAM::Policy')) {
    const properties = propertiesOf<{
      Roles: unknown[];
      PolicyDocument: { Statement: Statement[] };
    }>(policy);
    if ((properties.Roles ?? []).some((ref) => targetOf(ref) === roleId)) {
      statements.push(...(properties.PolicyDocument?.Statement ?? []));
    }
  }
  return statements;
}

/** Labels of the tables and queues, from the handlers' variables. */
function resourceLabels(template: CfnTemplate): Map<string, string> {
  const labels = new Map<string, string>();
  const tables = namesFromEnvironment(
    template,
    Object.fromEntries(
      Object.entries(TABLES).map(([name, table]) => [table.envVar, name]),
    ),
  );
  for (const [id, name] of tables) {
    labels.set(id, `table:${name}`);
  }
  const queues = namesFromEnvironment(
    template,
    Object.fromEntries(
      Object.entries(QUEUES).map(([name, queue]) => [queue.envVar, name]),
    ),
  );
  for (const [id, name] of queues) {
    labels.set(id, `queue:${name}`);
  }
  const deadLetters = deadLetterQueueIds(template);
  for (const [id, queue] of resourcesOfType(template, 'AWS::SQS::Queue')) {
    const target = targetOf(
      propertiesOf<{ RedrivePolicy: { deadLetterTargetArn: unknown } }>(queue)
        .RedrivePolicy?.deadLetterTargetArn,
    );
    const name = labels.get(id)?.replace('queue:', '');
    if (target && deadLetters.has(target) && name) {
      labels.set(target, `dead-letters:${name}`);
    }
  }
  return labels;
}

function labelOf(resource: unknown, labels: Map<string, string>): string {
  if (resource === '*') {
    return '*';
  }
  if (typeof resource === 'string') {
    const secret = /:secretsmanager:[^:]*:[^:]*:secret:(.+)$/.exec(resource);
    return secret ? `secret:${secret[1]}` : `other:${resource}`;
  }
  const target = targetOf(resource);
  if (target && labels.has(target)) {
    return labels.get(target) as string;
  }
  const join = (resource as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join && join[0] === '' && join[1].length === 2) {
    const [base, suffix] = join[1];
    const table = labels.get(targetOf(base) ?? '');
    const index = typeof suffix === 'string' && /^\/index\/(.+)$/.exec(suffix);
    if (table?.startsWith('table:') && index) {
      return `index:${table.slice('table:'.length)}/${index[1]}`;
    }
  }
  return `other:${JSON.stringify(resource)}`;
}
