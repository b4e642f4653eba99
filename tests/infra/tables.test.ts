import { RemovalPolicy } from 'aws-cdk-lib';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadStage } from '../../infra/config/load-stage.js';
import { TABLES } from '../../shared/resources.js';
import {
  checkTableProtection,
  checkTablesMatchDefinitions,
} from './support/checks/tables.js';
import { cfnOf, logicalId } from './support/stack-ids.js';
import { type SynthResult, synthStage } from './support/synth-stage.js';

let dev: SynthResult;
let prod: SynthResult;

beforeAll(() => {
  dev = synthStage({ stage: 'dev' });
  prod = synthStage({ stage: 'prod' });
});

describe('tables', () => {
  test('are the tables of TABLES with their keys and indexes', () => {
    expect(checkTablesMatchDefinitions(dev.template)).toEqual([]);
    expect(checkTablesMatchDefinitions(prod.template)).toEqual([]);
  });

  test('a table whose key differs from TABLES is reported', () => {
    // Prepare
    const broken = synthStage({
      stage: 'dev',
      breakWith: (stack) =>
        cfnOf(stack.data.tables.items).addPropertyOverride(
          'KeySchema.1.AttributeName',
          'itemId',
        ),
    });

    // Act
    const problems = checkTablesMatchDefinitions(broken.template);

    // Assess
    expect(problems).toEqual(['items: key schema differs from TABLES']);
  });

  test('have point-in-time recovery on demand in every stage', () => {
    expect(checkTableProtection(dev.template, { retainData: false })).toEqual(
      [],
    );
  });

  test('are protected and retained in prod', () => {
    expect(loadStage('prod').retainData).toBe(true);
    expect(checkTableProtection(prod.template, { retainData: true })).toEqual(
      [],
    );
  });

  test('dev tables can be torn down, and the check says so', () => {
    // Act
    const problems = checkTableProtection(dev.template, { retainData: true });

    // Assess: every table, for both reasons.
    expect(problems).toHaveLength(2 * Object.keys(TABLES).length);
  });

  test('a prod table without recovery, protection or RETAIN is reported', () => {
    // Prepare
    const broken = synthStage({
      stage: 'prod',
      breakWith: (stack) => {
        const syncs = cfnOf(stack.data.tables.syncs);
        syncs.addPropertyOverride(
          'PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled',
          false,
        );
        syncs.addPropertyOverride('DeletionProtectionEnabled', false);
        syncs.applyRemovalPolicy(RemovalPolicy.DESTROY);
      },
    });
    const syncs = logicalId(broken.stack.data.tables.syncs);

    // Act
    const problems = checkTableProtection(broken.template, {
      retainData: true,
    });

    // Assess
    expect(problems).toEqual([
      `${syncs} has no point-in-time recovery`,
      `${syncs} has no deletion protection`,
      `${syncs} is not retained when the stack lets it go`,
    ]);
  });
});
