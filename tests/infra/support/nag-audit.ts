/**
 * What cdk-nag finds before acknowledgements, and what the app
 * acknowledges, so a test can hold each acknowledgement to a finding.
 */
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, type NagPack, ServerlessChecks } from 'cdk-nag';

/** One finding on one construct. */
export interface Finding {
  readonly ruleId: string;
  readonly constructPath: string;
}

/** One acknowledgement on one construct. */
export interface Acknowledgement extends Finding {
  readonly reason: string;
}

/**
 * Every finding of the packs the app runs, as if nothing were
 * acknowledged. cdk-nag skips acknowledged rules while it walks the tree,
 * so its acknowledgement lookup is switched off on these private pack
 * instances only.
 */
export function rawFindings(app: App): Finding[] {
  const packs: NagPack[] = [
    new AwsSolutionsChecks(app),
    new ServerlessChecks(app),
  ];
  return packs.flatMap((pack) => {
    (pack as unknown as { isAcknowledged: () => boolean }).isAcknowledged =
      () => false;
    return pack.validateScope(app).violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => ({
        ruleId: violation.ruleName,
        constructPath: resource.constructPath ?? '',
      })),
    );
  });
}

/** Every acknowledgement recorded on the app's constructs. */
export function acknowledgements(app: App): Acknowledgement[] {
  return app.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter(
        (entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY,
      )
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(
          ([id, reason]) => ({
            // Stored with a namespace, e.g. `Annotation::AwsSolutions-L1`.
            ruleId: id.replace(/^[A-Za-z]+::/, ''),
            constructPath: construct.node.path,
            reason,
          }),
        ),
      ),
  );
}

/** Whether a finding lies on the acknowledged construct or below it. */
export function covers(ack: Acknowledgement, finding: Finding): boolean {
  return (
    ack.ruleId === finding.ruleId &&
    (finding.constructPath === ack.constructPath ||
      finding.constructPath.startsWith(`${ack.constructPath}/`))
  );
}
