/**
 * Sends page and embedding messages to their queues.
 */
import {
  ChangeMessageVisibilityCommand,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { WpSyncError } from '../errors.js';
import type { QueueName } from '../resources.js';
import type { EmbeddingMessage, PageMessage } from './model.js';

const SQS_BATCH_LIMIT = 10;

/** Sends messages; the queue URLs are resolved by the caller's config. */
export class Dispatcher {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: (
      queue: QueueName,
      kind?: 'queue' | 'dead-letters',
    ) => string,
  ) {}

  /**
   * Sends page messages to their job's queue, or to its dead letters.
   *
   * @param options.delaySeconds hides them that long (SQS allows 900 at most).
   */
  async sendPages(
    messages: readonly PageMessage[],
    options: { delaySeconds?: number; deadLetters?: boolean } = {},
  ): Promise<void> {
    const byJob = new Map<QueueName, PageMessage[]>();
    for (const message of messages) {
      byJob.set(message.job, [...(byJob.get(message.job) ?? []), message]);
    }
    for (const [queue, batch] of byJob) {
      await this.send(
        queue,
        batch.map((message) => ({
          body: message,
          correlationId: message.correlationId,
        })),
        options.deadLetters ? 'dead-letters' : 'queue',
        options.delaySeconds,
      );
    }
  }

  /** Sends embedding requests. */
  async sendEmbeddings(messages: readonly EmbeddingMessage[]): Promise<void> {
    await this.send(
      'embeddings',
      messages.map((message) => ({
        body: message,
        correlationId: message.correlationId,
      })),
    );
  }

  /** Keeps a message being worked on hidden for `seconds` more. */
  async extendVisibility(
    queue: QueueName,
    receiptHandle: string,
    seconds: number,
  ): Promise<void> {
    await this.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.queueUrl(queue),
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: seconds,
      }),
    );
  }

  private async send(
    queue: QueueName,
    messages: readonly { body: object; correlationId: string }[],
    kind: 'queue' | 'dead-letters' = 'queue',
    delaySeconds?: number,
  ): Promise<void> {
    const url = this.queueUrl(queue, kind);
    for (let start = 0; start < messages.length; start += SQS_BATCH_LIMIT) {
      let entries: SendMessageBatchRequestEntry[] = messages
        .slice(start, start + SQS_BATCH_LIMIT)
        .map((message, index) => ({
          Id: String(index),
          MessageBody: JSON.stringify(message.body),
          ...(delaySeconds !== undefined && {
            DelaySeconds: Math.max(0, Math.min(900, Math.round(delaySeconds))),
          }),
          MessageAttributes: {
            correlationId: {
              DataType: 'String',
              StringValue: message.correlationId,
            },
          },
        }));
      // A batch can partly fail; resend only the failed entries.
      for (let round = 0; entries.length > 0; round++) {
        if (round === 4) {
          throw new WpSyncError(
            'INTERNAL',
            `SQS refused ${entries.length} messages to ${queue} four times`,
            { retryable: true },
          );
        }
        const answer = await this.sqs.send(
          new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }),
        );
        const failed = new Set((answer.Failed ?? []).map((entry) => entry.Id));
        entries = entries.filter((entry) => failed.has(entry.Id));
      }
    }
  }
}
