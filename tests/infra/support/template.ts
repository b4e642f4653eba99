/**
 * A synthesized CloudFormation template as plain data, and the few
 * helpers the checks share to read it.
 */

/** One resource of a template. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly Metadata?: Record<string, unknown>;
}

/** A template, as `cdk synth` writes it. */
export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { readonly Value: unknown }>;
}

/** The resources of one type, as `[logicalId, resource]` pairs. */
export function resourcesOfType(
  template: CfnTemplate,
  type: string,
): [string, CfnResource][] {
  return Object.entries(template.Resources).filter(
    ([, resource]) => resource.Type === type,
  );
}

/** The properties of a resource, read as the shape the caller expects. */
export function propertiesOf<T>(resource: CfnResource): Partial<T> {
  return (resource.Properties ?? {}) as Partial<T>;
}

/**
 * The logical id a value points at, for `{ Ref }` and `{ Fn::GetAtt }`;
 * undefined for anything else.
 */
export function targetOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  const ref = (value as { Ref?: unknown }).Ref;
  if (typeof ref === 'string') {
    return ref;
  }
  const getAtt = (value as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') {
    return getAtt[0];
  }
  return undefined;
}

/**
 * Which logical ids the handlers know by which name: every function's
 * environment maps `TABLES` and `QUEUES` variables to the resources, so
 * the wiring itself says which table is `syncs` and which queue `terms`.
 */
export function namesFromEnvironment(
  template: CfnTemplate,
  variables: Readonly<Record<string, string>>,
): Map<string, string> {
  const names = new Map<string, string>();
  for (const [, fn] of resourcesOfType(template, 'AWS::Lambda::Function')) {
    const environment = propertiesOf<{
      Environment: { Variables: Record<string, unknown> };
    }>(fn).Environment?.Variables;
    for (const [variable, value] of Object.entries(environment ?? {})) {
      const name = variables[variable];
      const target = targetOf(value);
      if (name && target) {
        names.set(target, name);
      }
    }
  }
  return names;
}
