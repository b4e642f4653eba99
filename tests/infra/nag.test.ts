import { Queue } from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  acknowledgements,
  covers,
  type Finding,
  rawFindings,
} from './support/nag-audit.js';
import {
  newOutdir,
  reportedViolations,
  type SynthResult,
  synthStage,
} from './support/synth-stage.js';

let dev: SynthResult;
let prod: SynthResult;

beforeAll(() => {
  dev = synthStage({ stage: 'dev', checks: true });
  prod = synthStage({ stage: 'prod', checks: true });
});

describe('cdk-nag', () => {
  test('finds nothing unacknowledged in dev or prod, warnings included', () => {
    expect(reportedViolations(dev.outdir)).toEqual([]);
    expect(reportedViolations(prod.outdir)).toEqual([]);
  });

  test('catches a queue planted without dead letters or TLS', () => {
    // Prepare
    const outdir = newOutdir();
    const plant = () =>
      synthStage({
        stage: 'dev',
        checks: true,
        outdir,
        breakWith: (stack) => {
          new Queue(stack, 'Planted');
        },
      });

    // Act
    expect(plant).toThrow(/AwsSolutions-SQS3/);
    const findings = reportedViolations(outdir);

    // Assess
    const onPlanted = findings
      .filter((finding) =>
        finding.constructPaths.includes('WpSync-dev/Planted/Resource'),
      )
      .map((finding) => finding.ruleName)
      .sort();
    expect(onPlanted).toEqual([
      'AwsSolutions-SQS3',
      'AwsSolutions-SQS4',
      'Serverless-SQSRedrivePolicy',
    ]);
    expect(
      findings.filter((finding) =>
        finding.constructPaths.some(
          (path) => path !== 'WpSync-dev/Planted/Resource',
        ),
      ),
    ).toEqual([]);
  });
});

describe('acknowledgements', () => {
  test('each covers a real finding on its own resource, with a reason', () => {
    for (const { stack } of [dev, prod]) {
      // Prepare
      const app = stack.node.root as Parameters<typeof rawFindings>[0];
      const findings = rawFindings(app);
      const acks = acknowledgements(app);

      // Assess: none is stack-wide, none is unused, none is terse.
      expect(acks.length).toBeGreaterThan(0);
      for (const ack of acks) {
        expect(
          ack.constructPath.split('/').length,
          ack.constructPath,
        ).toBeGreaterThan(2);
        expect(
          findings.some((finding) => covers(ack, finding)),
          `${ack.ruleId} on ${ack.constructPath} covers no finding`,
        ).toBe(true);
        expect(ack.reason.length, ack.ruleId).toBeGreaterThan(60);
      }
      // And every finding is covered (the synthesis above proves it too).
      const uncovered: Finding[] = findings.filter(
        (finding) => !acks.some((ack) => covers(ack, finding)),
      );
      expect(uncovered).toEqual([]);
    }
  });
});
