/**
 * Checks of the DynamoDB tables against `TABLES` and the stage's data
 * protection.
 */
import {
  type KeyAttribute,
  TABLES,
  type TableDefinition,
} from '../../../../shared/resources.js';
import {
  type CfnTemplate,
  namesFromEnvironment,
  propertiesOf,
  resourcesOfType,
} from '../template.js';

interface KeySchemaElement {
  AttributeName: string;
  KeyType: 'HASH' | 'RANGE';
}

interface TableProperties {
  BillingMode: string;
  PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: boolean };
  DeletionProtectionEnabled: boolean;
  TimeToLiveSpecification: { AttributeName: string; Enabled: boolean };
  KeySchema: KeySchemaElement[];
  AttributeDefinitions: { AttributeName: string; AttributeType: string }[];
  GlobalSecondaryIndexes: {
    IndexName: string;
    KeySchema: KeySchemaElement[];
    Projection: { ProjectionType: string };
  }[];
}

/**
 * Every table is on demand with point-in-time recovery; when the stage
 * retains data, every table also has deletion protection and a RETAIN
 * deletion and replacement policy.
 */
export function checkTableProtection(
  template: CfnTemplate,
  options: { retainData: boolean },
): string[] {
  const problems: string[] = [];
  for (const [id, table] of resourcesOfType(template, 'AWS::DynamoDB::Table')) {
    const properties = propertiesOf<TableProperties>(table);
    if (
      properties.PointInTimeRecoverySpecification
        ?.PointInTimeRecoveryEnabled !== true
    ) {
      problems.push(`${id} has no point-in-time recovery`);
    }
    if (properties.BillingMode !== 'PAY_PER_REQUEST') {
      problems.push(`${id} is not on demand`);
    }
    if (!options.retainData) {
      continue;
    }
    if (properties.DeletionProtectionEnabled !== true) {
      problems.push(`${id} has no deletion protection`);
    }
    if (
      table.DeletionPolicy !== 'Retain' ||
      table.UpdateReplacePolicy !== 'Retain'
    ) {
      problems.push(`${id} is not retained when the stack lets it go`);
    }
  }
  return problems;
}

/**
 * The template holds exactly the tables of `TABLES`, each with the keys,
 * indexes and time to live defined there, and the handlers' variables
 * name them.
 */
export function checkTablesMatchDefinitions(template: CfnTemplate): string[] {
  const problems: string[] = [];
  const names = namesFromEnvironment(
    template,
    Object.fromEntries(
      Object.entries(TABLES).map(([name, table]) => [table.envVar, name]),
    ),
  );
  const tables = resourcesOfType(template, 'AWS::DynamoDB::Table');
  for (const [id, table] of tables) {
    const name = names.get(id) as keyof typeof TABLES | undefined;
    if (!name) {
      problems.push(`${id} is named by no handler variable`);
      continue;
    }
    const definition: TableDefinition = TABLES[name];
    const properties = propertiesOf<TableProperties>(table);
    const expectedKeys = keySchema(definition.partitionKey, definition.sortKey);
    if (!sameJson(properties.KeySchema, expectedKeys)) {
      problems.push(`${name}: key schema differs from TABLES`);
    }
    const expectedIndexes = definition.indexes.map((index) => ({
      IndexName: index.name,
      KeySchema: keySchema(index.partitionKey, index.sortKey),
      Projection: { ProjectionType: 'ALL' },
    }));
    if (!sameJson(properties.GlobalSecondaryIndexes ?? [], expectedIndexes)) {
      problems.push(`${name}: indexes differ from TABLES`);
    }
    const expectedTypes = Object.fromEntries(
      [definition, ...definition.indexes]
        .flatMap((keys) => [keys.partitionKey, keys.sortKey ?? []].flat())
        .map((key) => [key.name, key.type]),
    );
    const actualTypes = Object.fromEntries(
      (properties.AttributeDefinitions ?? []).map((attribute) => [
        attribute.AttributeName,
        attribute.AttributeType,
      ]),
    );
    if (!sameJson(actualTypes, expectedTypes)) {
      problems.push(`${name}: attribute types differ from TABLES`);
    }
    const ttl = properties.TimeToLiveSpecification;
    const expectedTtl = definition.timeToLiveAttribute;
    if (
      expectedTtl
        ? ttl?.Enabled !== true || ttl.AttributeName !== expectedTtl
        : ttl?.Enabled === true
    ) {
      problems.push(`${name}: time to live differs from TABLES`);
    }
  }
  const found = new Set(tables.map(([id]) => names.get(id)));
  for (const name of Object.keys(TABLES)) {
    if (!found.has(name)) {
      problems.push(`${name}: no table`);
    }
  }
  return problems;
}

function keySchema(
  partitionKey: KeyAttribute,
  sortKey?: KeyAttribute,
): KeySchemaElement[] {
  return [
    { AttributeName: partitionKey.name, KeyType: 'HASH' },
    ...(sortKey
      ? [{ AttributeName: sortKey.name, KeyType: 'RANGE' as const }]
      : []),
  ];
}

/** Equal as JSON, whatever the order of object keys. */
function sameJson(actual: unknown, expected: unknown): boolean {
  return JSON.stringify(sorted(actual)) === JSON.stringify(sorted(expected));
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(sorted);
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, inner]) => [key, sorted(inner)]),
    );
  }
  return value;
}
