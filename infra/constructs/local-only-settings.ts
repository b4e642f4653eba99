/**
 * Handler settings that belong to the local runtime and must never reach
 * a deployed function: each weakens a guard or points the handlers away
 * from AWS.
 */
const LOCAL_ONLY: readonly {
  readonly variable: string;
  /** True when the value is the local one. */
  readonly isLocal: (value: unknown) => boolean;
  readonly why: string;
}[] = [
  {
    variable: 'ALLOW_LOCAL_ORIGINS',
    isLocal: (value) => value === 'true',
    why: 'lets tenants register plain-http and loopback sites',
  },
  {
    variable: 'WP_SYNC_CRASH_PLAN',
    isLocal: (value) => value !== undefined,
    why: 'makes workers crash on purpose',
  },
  {
    variable: 'SECRET_STORE',
    isLocal: (value) => value === 'file',
    why: 'keeps application passwords in a file',
  },
  {
    variable: 'DYNAMODB_ENDPOINT',
    isLocal: (value) => value !== undefined,
    why: 'sends table calls to another endpoint than AWS',
  },
  {
    variable: 'SQS_ENDPOINT',
    isLocal: (value) => value !== undefined,
    why: 'sends queue calls to another endpoint than AWS',
  },
];

/**
 * What is wrong with a deployed function's environment: one message per
 * local-only setting it carries.
 */
export function localOnlySettings(
  variables: Readonly<Record<string, unknown>>,
): string[] {
  return LOCAL_ONLY.filter(({ variable, isLocal }) =>
    isLocal(variables[variable]),
  ).map(
    ({ variable, why }) =>
      `${variable} ${why}; it is for the local runtime only`,
  );
}
