/**
 * `npm run redrive -- [--sync <syncId>] [--job terms|media|pages|posts]`:
 * moves dead-lettered pages back to their queues and re-opens them, so
 * the runtime works them again and their sync can finish.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { queueUrl } from '../../shared/config.js';
import { JOB_TYPES, type JobType } from '../../shared/resources.js';
import { redriveDeadLetters } from '../../shared/sync/redrive.js';
import { createLocalSqsClient } from '../aws/clients.js';
import { connectRuntime } from '../runtime/connect.js';
import { dataDir } from '../runtime/paths.js';
import { EXIT, parseFlags, runCommand, UsageError } from './args.js';
import { serviceFor } from './local-service.js';

const USAGE =
  'usage: npm run redrive -- [--sync <syncId>] [--job terms|media|pages|posts]';

runCommand(USAGE, async () => {
  const flags = parseFlags(process.argv.slice(2), {
    sync: { type: 'string' },
    job: { type: 'string', multiple: true },
  });
  const jobs = (flags.job ?? [...JOB_TYPES]) as JobType[];
  const unknown = jobs.filter((job) => !JOB_TYPES.includes(job));
  if (unknown.length > 0) {
    throw new UsageError(`unknown job ${unknown.join(', ')}`);
  }
  const runtime = await connectRuntime(dataDir());
  try {
    const service = serviceFor(runtime.info);
    const sqs = createLocalSqsClient(runtime.info.sqsEndpoint);
    const result = await redriveDeadLetters(
      {
        sqs,
        syncs: service.syncs,
        dispatcher: service.dispatcher,
        queueUrl: (queue, kind) => queueUrl(service.settings, queue, kind),
        log: new Logger({ serviceName: 'wp-sync-redrive', logLevel: 'WARN' }),
      },
      { jobs, ...(flags.sync && { syncId: flags.sync }) },
    );
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return EXIT.completed;
  } finally {
    await runtime.release();
  }
});
