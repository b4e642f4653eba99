import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  Table,
} from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import {
  type KeyAttribute,
  TABLES,
  type TableDefinition,
  type TableName,
} from '../../shared/resources.js';
import { constructId } from './construct-id.js';

/** Properties of {@link DataTables}. */
export interface DataTablesProps {
  /**
   * Protects the tables from deletion and keeps them when the stack goes.
   */
  readonly retainData: boolean;
}

/**
 * The DynamoDB tables of `shared/resources.ts`, on demand, with
 * point-in-time recovery; their physical names are left to CloudFormation
 * and reach the handlers through the variables the definitions name.
 */
export class DataTables extends Construct {
  /** Each table, by its name in `TABLES`. */
  readonly tables: Readonly<Record<TableName, Table>>;

  constructor(scope: Construct, id: string, props: DataTablesProps) {
    super(scope, id);
    const entries = Object.entries(TABLES) as [TableName, TableDefinition][];
    this.tables = Object.fromEntries(
      entries.map(([name, definition]) => [
        name,
        this.buildTable(name, definition, props.retainData),
      ]),
    ) as Record<TableName, Table>;
  }

  private buildTable(
    name: TableName,
    definition: TableDefinition,
    retainData: boolean,
  ): Table {
    const table = new Table(this, constructId(name), {
      partitionKey: keyOf(definition.partitionKey),
      ...(definition.sortKey && { sortKey: keyOf(definition.sortKey) }),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      ...(definition.timeToLiveAttribute && {
        timeToLiveAttribute: definition.timeToLiveAttribute,
      }),
      deletionProtection: retainData,
      removalPolicy: retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    for (const index of definition.indexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: keyOf(index.partitionKey),
        ...(index.sortKey && { sortKey: keyOf(index.sortKey) }),
        projectionType: ProjectionType.ALL,
      });
    }
    return table;
  }
}

function keyOf(key: KeyAttribute): { name: string; type: AttributeType } {
  return {
    name: key.name,
    type: key.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER,
  };
}
