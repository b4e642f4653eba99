/**
 * Builds the CDK app for one stage; `main.ts` runs it for the CLI and the
 * tests build it in memory.
 */
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { loadStage } from './config/load-stage.js';
import { WpSyncStack } from './stacks/WpSyncStack.js';

/** Options of {@link createWpSyncApp}. */
export interface WpSyncAppOptions {
  /**
   * Context values, `stage` among them; the CLI passes `-c` values itself.
   *
   * @default - the CLI's context
   */
  readonly context?: AppProps['context'];
  /**
   * Where the cloud assembly goes.
   *
   * @default - the CLI's output folder, or a temporary one
   */
  readonly outdir?: string;
  /**
   * Runs cdk-nag's AWS Solutions and Serverless packs and CDK's built-in
   * CloudFormation validation at synthesis. Tests that break a stack on
   * purpose turn them off to see their own check fail instead, and tests
   * of the template alone to save the seconds the validation costs.
   *
   * @default true
   */
  readonly checks?: boolean;
}

/** The app with the stage picked by the `stage` context value. */
export function createWpSyncApp(options: WpSyncAppOptions = {}): {
  app: App;
  stack: WpSyncStack;
} {
  const checks = options.checks ?? true;
  const app = new App({
    ...(options.context && { context: options.context }),
    ...(options.outdir && { outdir: options.outdir }),
    ...(!checks && { builtinCloudFormationValidation: false }),
  });
  const stage = loadStage(app.node.tryGetContext('stage'));
  const stack = new WpSyncStack(app, `WpSync-${stage.stage}`, { stage });
  if (checks) {
    Validations.of(app).addPlugins(
      new AwsSolutionsChecks(app),
      new ServerlessChecks(app),
    );
  }
  return { app, stack };
}
