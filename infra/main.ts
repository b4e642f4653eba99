/**
 * The CDK app `cdk.json` runs: `npx cdk synth -c stage=dev`.
 */
import { createWpSyncApp } from './app.js';

createWpSyncApp();
