/**
 * Drives a worker handler from an SQS queue the way Lambda's event source
 * mapping does: receive a batch, hand it over as an SQS event, delete what
 * succeeded and leave the reported failures to reappear after their
 * visibility timeout.
 */
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type {
  Context,
  SQSBatchResponse,
  SQSEvent,
  SQSRecord,
} from 'aws-lambda';
import type { Log } from '../../shared/observability/telemetry.js';
import { lambdaContext } from './lambda-context.js';

/** Marks a copy made by `duplicate`, so copies are not copied again. */
const DUPLICATE_ATTRIBUTE = 'wpSyncDuplicate';

export type WorkerHandler = (
  event: SQSEvent,
  context: Context,
) => Promise<SQSBatchResponse | undefined>;

/** A running poller; `stop` waits for the batches in hand. */
export interface QueuePoller {
  stop(): Promise<void>;
  /** Batches handed to the handler so far. */
  readonly invocations: () => number;
  /** Copies sent when duplicating deliveries. */
  readonly duplicates: () => number;
}

/** Starts `concurrency` receive loops on one queue. */
export function startQueuePoller(options: {
  sqs: SQSClient;
  queueUrl: string;
  queueName: string;
  handler: WorkerHandler;
  functionName: string;
  log: Log;
  batchSize?: number;
  concurrency?: number;
  timeoutMs?: number;
  /**
   * Sends a copy of every message once, as SQS's at-least-once delivery
   * may: fault-injection runs prove that duplicates change nothing.
   */
  duplicate?: boolean;
}): QueuePoller {
  let stopping = false;
  let invocations = 0;
  let duplicates = 0;
  const abort = new AbortController();

  const loop = async (): Promise<void> => {
    while (!stopping) {
      let messages: Message[];
      try {
        const answer = await options.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: options.queueUrl,
            MaxNumberOfMessages: options.batchSize ?? 5,
            WaitTimeSeconds: 1,
            MessageAttributeNames: ['All'],
            MessageSystemAttributeNames: ['All'],
          }),
          { abortSignal: abort.signal },
        );
        messages = answer.Messages ?? [];
      } catch (error) {
        if (stopping) return;
        options.log.warn('Receiving from the queue failed', {
          queue: options.queueName,
          error: String(error),
        });
        await new Promise((resolve) => setTimeout(resolve, 500));
        continue;
      }
      if (messages.length === 0) continue;
      if (options.duplicate) await duplicate(messages);
      invocations++;
      await invoke(messages);
    }
  };

  const duplicate = async (messages: Message[]): Promise<void> => {
    const originals = messages.filter(
      (message) => !message.MessageAttributes?.[DUPLICATE_ATTRIBUTE],
    );
    if (originals.length === 0) return;
    await options.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: options.queueUrl,
        Entries: originals.map((message, index) => ({
          Id: String(index),
          MessageBody: message.Body ?? '',
          MessageAttributes: {
            ...message.MessageAttributes,
            [DUPLICATE_ATTRIBUTE]: { DataType: 'String', StringValue: '1' },
          },
        })),
      }),
    );
    duplicates += originals.length;
  };

  const invoke = async (messages: Message[]): Promise<void> => {
    const event: SQSEvent = {
      Records: messages.map((message) => toRecord(message, options.queueName)),
    };
    let failed: Set<string>;
    try {
      const response = await options.handler(
        event,
        lambdaContext(options.functionName, options.timeoutMs ?? 60_000),
      );
      failed = new Set(
        (response?.batchItemFailures ?? []).map(
          (failure) => failure.itemIdentifier,
        ),
      );
    } catch (error) {
      // A handler that throws fails the whole batch, as on Lambda.
      options.log.error('Worker invocation failed', {
        queue: options.queueName,
        error: String(error),
      });
      failed = new Set(messages.map((message) => message.MessageId ?? ''));
    }
    const done = messages.filter(
      (message) => !failed.has(message.MessageId ?? ''),
    );
    if (done.length > 0) {
      await options.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: options.queueUrl,
          Entries: done.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
          })),
        }),
      );
    }
  };

  const loops = Array.from({ length: options.concurrency ?? 2 }, () => loop());
  return {
    invocations: () => invocations,
    duplicates: () => duplicates,
    stop: async () => {
      stopping = true;
      abort.abort();
      await Promise.allSettled(loops);
    },
  };
}

function toRecord(message: Message, queueName: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp:
        attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        {
          dataType: value.DataType ?? 'String',
          ...(value.StringValue !== undefined && {
            stringValue: value.StringValue,
          }),
          stringListValues: [],
          binaryListValues: [],
        },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queueName}`,
    awsRegion: 'us-east-1',
  };
}
