/**
 * Synthesizes a stage in memory, the way `cdk synth -c stage=...` does,
 * with the feature flags of `cdk.json`.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWpSyncApp } from '../../../infra/app.js';
import type { WpSyncStack } from '../../../infra/stacks/WpSyncStack.js';
import type { CfnTemplate } from './template.js';

const CDK_JSON = new URL('../../../cdk.json', import.meta.url);

/** The context of `cdk.json`: the project's feature flags. */
export function projectContext(): Record<string, unknown> {
  return JSON.parse(readFileSync(CDK_JSON, 'utf8')).context;
}

/** Options of {@link synthStage}. */
export interface SynthStageOptions {
  readonly stage: string;
  /**
   * Runs cdk-nag and CloudFormation validation.
   *
   * @default false
   */
  readonly checks?: boolean;
  /**
   * Bundles the handlers with esbuild.
   *
   * @default false
   */
  readonly bundle?: boolean;
  /**
   * Changes the stack before synthesis: how a test breaks it on purpose.
   *
   * @default - no change
   */
  readonly breakWith?: (stack: WpSyncStack) => void;
  /**
   * The cloud assembly folder.
   *
   * @default - a fresh temporary folder
   */
  readonly outdir?: string;
}

/** What a synthesis produced. */
export interface SynthResult {
  readonly stack: WpSyncStack;
  readonly template: CfnTemplate;
  /** The cloud assembly folder. */
  readonly outdir: string;
}

/** A fresh temporary folder for a cloud assembly. */
export function newOutdir(): string {
  return mkdtempSync(join(tmpdir(), 'wp-sync-cdk-'));
}

/** Synthesizes one stage. */
export function synthStage(options: SynthStageOptions): SynthResult {
  const outdir = options.outdir ?? newOutdir();
  const { app, stack } = createWpSyncApp({
    context: {
      ...projectContext(),
      stage: options.stage,
      ...(!options.bundle && { 'aws:cdk:bundling-stacks': [] }),
    },
    outdir,
    checks: options.checks ?? false,
  });
  options.breakWith?.(stack);
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName)
    .template as CfnTemplate;
  return { stack, template, outdir };
}

/** One finding of a validation plugin, as the report lists it. */
export interface ReportedViolation {
  readonly plugin: string;
  readonly ruleName: string;
  readonly severity: string;
  readonly constructPaths: readonly string[];
}

/**
 * The findings in the cloud assembly's validation report, which is where
 * cdk-nag 3 reports (not in annotations). No report means none.
 */
export function reportedViolations(outdir: string): ReportedViolation[] {
  const file = join(outdir, 'validation-report.json');
  if (!existsSync(file)) {
    return [];
  }
  const report = JSON.parse(readFileSync(file, 'utf8')) as {
    pluginReports: {
      pluginName: string;
      violations: {
        ruleName: string;
        severity: string;
        violatingConstructs: { constructPath: string }[];
      }[];
    }[];
  };
  return report.pluginReports.flatMap((plugin) =>
    plugin.violations.map((violation) => ({
      plugin: plugin.pluginName,
      ruleName: violation.ruleName,
      severity: violation.severity,
      constructPaths: violation.violatingConstructs.map(
        (construct) => construct.constructPath,
      ),
    })),
  );
}
