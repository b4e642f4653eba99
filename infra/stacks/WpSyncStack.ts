import { CfnOutput, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import {
  JOB_TYPES,
  type JobType,
  QUEUES,
  type QueueName,
} from '../../shared/resources.js';
import { WORKERS } from '../../shared/routes.js';
import type { GrantableResources } from '../access/grant-access.js';
import type { StageConfig } from '../config/stage-config.js';
import { constructId } from '../constructs/construct-id.js';
import { DataTables } from '../constructs/DataTables.js';
import { secretPrefix } from '../constructs/HandlerFunction.js';
import { SyncAlarms } from '../constructs/SyncAlarms.js';
import { SyncApi } from '../constructs/SyncApi.js';
import { SyncDashboard } from '../constructs/SyncDashboard.js';
import { SyncWorkers } from '../constructs/SyncWorkers.js';
import { WorkQueues } from '../constructs/WorkQueues.js';

/** Properties of a {@link WpSyncStack}. */
export interface WpSyncStackProps extends StackProps {
  /**
   * The stage this stack deploys. Its account and region are the stack's
   * env, whatever `env` says.
   */
  readonly stage: StageConfig;
}

/**
 * Everything one stage of wp-sync runs on: tables, queues, the API and
 * its handlers, the workers, a dashboard and alarms.
 */
export class WpSyncStack extends Stack {
  /** The tables of `TABLES`. */
  readonly data: DataTables;
  /** The queues of `QUEUES` and their dead letters. */
  readonly work: WorkQueues;
  /** The HTTP API and its route handlers. */
  readonly api: SyncApi;
  /** The queue workers and their mappings. */
  readonly workers: SyncWorkers;
  /** The stage's dashboard. */
  readonly dashboard: SyncDashboard;
  /** The alarms and their topic. */
  readonly alarms: SyncAlarms;

  constructor(scope: Construct, id: string, props: WpSyncStackProps) {
    const { stage } = props;
    super(scope, id, {
      ...props,
      env: { account: stage.account, region: stage.region },
      description: `wp-sync ${stage.stage}: WordPress sites copied into DynamoDB`,
    });
    const namePrefix = `wp-sync-${stage.stage}`;
    Tags.of(this).add('app', 'wp-sync');
    Tags.of(this).add('stage', stage.stage);

    // State: what the handlers read and write.
    this.data = new DataTables(this, 'Tables', {
      retainData: stage.retainData,
    });
    this.work = new WorkQueues(this, 'Queues', { timings: stage.timings });
    const resources: GrantableResources = {
      tables: this.data.tables,
      queues: this.work.queues,
      deadLetterQueues: this.work.deadLetterQueues,
      secretPrefix: secretPrefix(stage),
    };

    // Compute: the API and the queue workers.
    this.api = new SyncApi(this, 'Api', { stage, resources });
    this.workers = new SyncWorkers(this, 'Workers', { stage, resources });

    // Watching: one dashboard, alarms to one topic.
    const workerFunctions = {} as Record<JobType, IFunction>;
    for (const job of JOB_TYPES) {
      workerFunctions[job] = this.workers.workers[job].function;
    }
    this.dashboard = new SyncDashboard(this, 'Dashboard', {
      dashboardName: namePrefix,
      queues: this.work.queues,
      deadLetterQueues: this.work.deadLetterQueues,
      functions: {
        ...Object.fromEntries(
          Object.entries(this.api.handlers).map(([name, handler]) => [
            name,
            handler.function,
          ]),
        ),
        ...Object.fromEntries(
          JOB_TYPES.map((job) => [WORKERS[job], workerFunctions[job]]),
        ),
      },
    });
    this.alarms = new SyncAlarms(this, 'Alarms', {
      stage,
      namePrefix,
      queues: this.work.queues,
      deadLetterQueues: this.work.deadLetterQueues,
      workers: workerFunctions,
    });

    this.addOutputs(stage);
  }

  private addOutputs(stage: StageConfig): void {
    const dashboardName = this.dashboard.dashboard.dashboardName;
    new CfnOutput(this, 'ApiUrl', {
      description: 'Base URL of the API; routes start with /api/wordpress',
      value: this.api.url,
    });
    new CfnOutput(this, 'DashboardName', { value: dashboardName });
    new CfnOutput(this, 'DashboardUrl', {
      value:
        `https://${stage.region}.console.aws.amazon.com/cloudwatch/home` +
        `?region=${stage.region}#dashboards/dashboard/${dashboardName}`,
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      description: 'Subscribe on-call to this topic',
      value: this.alarms.topic.topicArn,
    });
    for (const name of Object.keys(QUEUES) as QueueName[]) {
      new CfnOutput(this, `${constructId(name)}DeadLettersArn`, {
        description: `Dead letters of the ${name} queue (redrive source)`,
        value: this.work.deadLetterQueues[name].queueArn,
      });
    }
  }
}
