import { describe, expect, test } from 'vitest';
import { loadStage, StageConfigError } from '../../infra/config/load-stage.js';
import { STAGES, type StageDefinition } from '../../infra/config/stages.js';

/** The dev stage with some fields changed, as the only stage. */
function devWith(change: (dev: StageDefinition) => StageDefinition) {
  return { dev: change(structuredClone(STAGES.dev) as StageDefinition) };
}

function withTimings(
  timings: Partial<StageDefinition['timings']>,
): (dev: StageDefinition) => StageDefinition {
  return (dev) => ({ ...dev, timings: { ...dev.timings, ...timings } });
}

describe('loadStage', () => {
  test('loads every stage of the project', () => {
    for (const name of Object.keys(STAGES)) {
      expect(loadStage(name).stage).toBe(name);
    }
  });

  test('refuses a missing or unknown stage, naming the known ones', () => {
    expect(() => loadStage(undefined)).toThrow(
      /-c stage=NAME; known stages: dev, prod/,
    );
    expect(() => loadStage('qa')).toThrow(StageConfigError);
  });

  test('refuses a visibility timeout under six worker timeouts', () => {
    const stages = devWith(
      withTimings({
        workerTimeoutSeconds: 300,
        visibilityTimeoutSeconds: 1799,
      }),
    );
    expect(() => loadStage('dev', stages)).toThrow(
      /six times workerTimeoutSeconds \(1800\)[\s\S]*timings.visibilityTimeoutSeconds/,
    );
  });

  test('refuses a lease shorter than a run or as long as the visibility', () => {
    expect(() =>
      loadStage('dev', devWith(withTimings({ leaseSeconds: 299 }))),
    ).toThrow(/at least workerTimeoutSeconds[\s\S]*timings.leaseSeconds/);
    expect(() =>
      loadStage('dev', devWith(withTimings({ leaseSeconds: 1800 }))),
    ).toThrow(/shorter than visibilityTimeoutSeconds/);
  });

  test('refuses an API timeout API Gateway would not wait for', () => {
    expect(() =>
      loadStage('dev', devWith(withTimings({ apiTimeoutSeconds: 30 }))),
    ).toThrow(/apiTimeoutSeconds/);
  });

  test('refuses an age alarm that every retry would set off', () => {
    const stages = devWith((dev) => ({
      ...dev,
      alarms: { ...dev.alarms, oldestMessageAgeSeconds: 1800 },
    }));
    expect(() => loadStage('dev', stages)).toThrow(
      /exceed timings.visibilityTimeoutSeconds[\s\S]*alarms.oldestMessageAgeSeconds/,
    );
  });

  test('refuses a throttle for a route that does not exist, and typos', () => {
    const unknownRoute = devWith((dev) => ({
      ...dev,
      api: {
        ...dev.api,
        routeThrottles: {
          ...dev.api.routeThrottles,
          'no-such-route': { rateLimit: 1, burstLimit: 1 },
        } as never,
      },
    }));
    expect(() => loadStage('dev', unknownRoute)).toThrow(/no-such-route/);
    const typo = devWith((dev) => ({ ...dev, retainDate: true }) as never);
    expect(() => loadStage('dev', typo)).toThrow(/retainDate/);
  });

  test('refuses an account id that is not twelve digits', () => {
    const stages = devWith((dev) => ({ ...dev, account: '1234' }));
    expect(() => loadStage('dev', stages)).toThrow(/12 digits/);
  });

  test('refuses two stages in one account and region', () => {
    const stages = { ...STAGES, qa: { ...STAGES.prod } };
    expect(() => loadStage('qa', stages)).toThrow(
      /Stages qa and prod share account 444455556666/,
    );
  });
});
