/**
 * Moves dead-lettered page messages back to their queues and re-opens
 * their pages, so a sync that failed while its site was down can finish.
 *
 * It uses plain SQS calls (receive, send, delete), which both AWS and the
 * local emulator serve; AWS's own message-move task would move messages
 * without re-opening their pages.
 */
import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Log } from '../observability/telemetry.js';
import { JOB_TYPES, type JobType, type QueueName } from '../resources.js';
import { CANCELLED, errorOf } from './cancel-sync.js';
import type { Dispatcher } from './dispatch.js';
import { pageMessageSchema } from './model.js';
import type { SyncStore } from './sync-store.js';

/** What a redrive moved, per job. */
export interface RedriveResult {
  readonly moved: Record<JobType, number>;
  readonly reopened: number;
  /** Messages left in the dead letters because they are not page messages. */
  readonly unreadable: number;
}

/** Redrives the dead letters of the given jobs (all by default). */
export async function redriveDeadLetters(
  deps: {
    sqs: SQSClient;
    syncs: SyncStore;
    dispatcher: Dispatcher;
    queueUrl: (queue: QueueName, kind: 'queue' | 'dead-letters') => string;
    log: Log;
    now?: () => Date;
  },
  options: { jobs?: readonly JobType[]; syncId?: string } = {},
): Promise<RedriveResult> {
  const now = deps.now ?? (() => new Date());
  const moved = Object.fromEntries(JOB_TYPES.map((job) => [job, 0])) as Record<
    JobType,
    number
  >;
  let reopened = 0;
  let unreadable = 0;
  for (const job of options.jobs ?? JOB_TYPES) {
    const url = deps.queueUrl(job, 'dead-letters');
    for (;;) {
      const answer = await deps.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          // Long enough to move the batch; what is left reappears.
          VisibilityTimeout: 60,
        }),
      );
      const messages = answer.Messages ?? [];
      if (messages.length === 0) break;
      for (const received of messages) {
        const parsed = pageMessageSchema.safeParse(safeJson(received.Body));
        if (
          !parsed.success ||
          (options.syncId && parsed.data.syncId !== options.syncId)
        ) {
          if (!parsed.success) unreadable++;
          continue;
        }
        if (await isCancelled(deps.syncs, parsed.data.syncId)) {
          // Its sync was cancelled: the page is dropped, not redriven.
          await deps.sqs.send(
            new DeleteMessageCommand({
              QueueUrl: url,
              ReceiptHandle: received.ReceiptHandle,
            }),
          );
          continue;
        }
        if (await deps.syncs.reopenTask(parsed.data, now())) reopened++;
        await deps.dispatcher.sendPages([parsed.data]);
        await deps.sqs.send(
          new DeleteMessageCommand({
            QueueUrl: url,
            ReceiptHandle: received.ReceiptHandle,
          }),
        );
        moved[job]++;
      }
    }
  }
  if (options.syncId) {
    // The local SQS emulator forgets its dead letters when it restarts; the
    // store still knows which pages failed, so re-open those as well.
    const bundle = await deps.syncs.getBundle(options.syncId);
    // A cancelled sync stays cancelled.
    const cancelled = bundle && errorOf(bundle.sync)?.code === CANCELLED.code;
    for (const task of cancelled ? [] : (bundle?.tasks ?? [])) {
      if (
        task.state !== 'failed' ||
        !(options.jobs ?? JOB_TYPES).includes(task.job)
      ) {
        continue;
      }
      const message = pageMessageSchema.safeParse({ v: 1, ...task });
      if (
        message.success &&
        (await deps.syncs.reopenTask(message.data, now()))
      ) {
        reopened++;
        await deps.dispatcher.sendPages([message.data]);
      }
    }
  }
  deps.log.info('Dead letters redriven', { moved, reopened, unreadable });
  return { moved, reopened, unreadable };
}

async function isCancelled(syncs: SyncStore, syncId: string) {
  const sync = await syncs.getSync(syncId);
  return sync !== undefined && errorOf(sync)?.code === CANCELLED.code;
}

function safeJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
}
