/**
 * The syncs table: syncs, their jobs and page tasks, and the outbox of
 * embedding requests.
 *
 * Every change that others may race on is a conditional write, so a page
 * is worked on by one worker at a time and its outcome is counted once,
 * however often SQS delivers its message.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { mapConcurrent } from '../concurrency.js';
import { isConditionFailure } from '../content/item-store.js';
import { JOB_TYPES, type JobType } from '../resources.js';
import {
  type EmbeddingMessage,
  type FinalStatus,
  type Finding,
  type ItemCounts,
  JOB_RESOURCES,
  type JobRecord,
  type PageMessage,
  REC,
  type Resource,
  type SyncRecord,
  type TaskRecord,
} from './model.js';

/** The fields of a new sync. */
export interface NewSync {
  readonly syncId: string;
  readonly tenantId: string;
  readonly siteId: string;
  readonly correlationId: string;
  readonly now: Date;
}

/** What a claim attempt found. */
export type ClaimResult =
  | { readonly kind: 'claimed'; readonly attempts: number }
  | { readonly kind: 'finished'; readonly state: 'done' | 'failed' }
  | { readonly kind: 'busy'; readonly leaseUntil: number }
  | { readonly kind: 'missing' };

/** What one page did, recorded once with the task. */
export interface PageOutcome {
  readonly counts: ItemCounts;
  readonly warnings: readonly Finding[];
  readonly errors: readonly Finding[];
  readonly requestMs: number;
  readonly upsertMs: number;
  readonly skipReasons: Readonly<Record<string, number>>;
}

/** A sync with everything under it, as the report reads it. */
export interface SyncBundle {
  readonly sync: SyncRecord;
  readonly jobs: readonly JobRecord[];
  readonly tasks: readonly TaskRecord[];
}

/** A stored embedding request not yet handed to the queue. */
export interface OutboxEntry extends EmbeddingMessage {
  readonly rec: string;
  readonly taskRec: string;
}

const MAX_FINDINGS_PER_TASK = 50;
const BATCH_WRITE_LIMIT = 25;

/** Reads and writes the records of syncs. */
export class SyncStore {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Creates a sync, its four jobs and the first page task of each
   * collection in one transaction.
   *
   * @returns the page messages to send.
   */
  async createSync(sync: NewSync): Promise<PageMessage[]> {
    const startedAt = sync.now.toISOString();
    const record: SyncRecord = {
      syncId: sync.syncId,
      rec: REC.sync,
      tenantId: sync.tenantId,
      siteId: sync.siteId,
      siteKey: siteKey(sync.tenantId, sync.siteId),
      correlationId: sync.correlationId,
      startedAt,
      status: 'queued',
      // Listed in the pending index until it closes, so a restart can
      // close a sync whose last page finished just before a crash.
      pendingKind: 'sync',
      pendingSince: startedAt,
    };
    const messages: PageMessage[] = JOB_TYPES.flatMap((job) =>
      JOB_RESOURCES[job].map((resource) => ({
        v: 1 as const,
        syncId: sync.syncId,
        tenantId: sync.tenantId,
        siteId: sync.siteId,
        job,
        resource,
        page: 1,
        correlationId: sync.correlationId,
      })),
    );
    const puts: Record<string, unknown>[] = [
      record as unknown as Record<string, unknown>,
      ...JOB_TYPES.map((job) => newJob(sync.syncId, job)),
      ...messages.map((message) => newTask(message, startedAt)),
    ];
    await this.dynamo.send(
      new TransactWriteCommand({
        TransactItems: puts.map((Item) => ({
          Put: {
            TableName: this.tableName,
            Item,
            ConditionExpression: 'attribute_not_exists(rec)',
          },
        })),
      }),
    );
    return messages;
  }

  /** The sync record alone. */
  async getSync(syncId: string): Promise<SyncRecord | undefined> {
    const answer = await this.dynamo.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { syncId, rec: REC.sync },
        ConsistentRead: true,
      }),
    );
    return answer.Item as SyncRecord | undefined;
  }

  /** The sync with its jobs and tasks; embedding requests left out. */
  async getBundle(syncId: string): Promise<SyncBundle | undefined> {
    const rows: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.dynamo.send(
        new QueryCommand({
          TableName: this.tableName,
          // `EMBED#` sorts before `JOB#`, `SYNC` and `TASK#`.
          KeyConditionExpression: 'syncId = :sync AND rec >= :first',
          ExpressionAttributeValues: { ':sync': syncId, ':first': 'JOB#' },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      rows.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    const sync = rows.find((row) => row.rec === REC.sync);
    if (!sync) {
      return undefined;
    }
    return {
      sync: sync as unknown as SyncRecord,
      jobs: rows.filter((row) => String(row.rec).startsWith('JOB#')) as never,
      tasks: rows.filter((row) =>
        String(row.rec).startsWith(REC.taskPrefix),
      ) as never,
    };
  }

  /** The newest sync of a site, if any. */
  async latestSyncOfSite(
    tenantId: string,
    siteId: string,
  ): Promise<SyncRecord | undefined> {
    const answer = await this.dynamo.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'bySite',
        KeyConditionExpression: 'siteKey = :site',
        ExpressionAttributeValues: { ':site': siteKey(tenantId, siteId) },
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    return answer.Items?.[0] as SyncRecord | undefined;
  }

  /**
   * Creates the page tasks that do not exist yet and counts them on the
   * job. Tasks that exist but are still pending are returned as well: the
   * caller sends their messages again, since the worker that created them
   * may have died before sending.
   */
  async ensureTasks(
    template: PageMessage,
    pages: readonly number[],
    now: Date,
  ): Promise<PageMessage[]> {
    const toSend: PageMessage[] = [];
    for (const page of pages) {
      const message = { ...template, page };
      try {
        await this.dynamo.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: this.tableName,
                  Item: newTask(message, now.toISOString()),
                  ConditionExpression: 'attribute_not_exists(rec)',
                  ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
                },
              },
              {
                Update: {
                  TableName: this.tableName,
                  Key: { syncId: message.syncId, rec: REC.job(message.job) },
                  UpdateExpression: 'ADD pagesTotal :one',
                  ExpressionAttributeValues: { ':one': 1 },
                },
              },
            ],
          }),
        );
        toSend.push(message);
      } catch (error) {
        if (!isTransactionConditionFailure(error)) {
          throw error;
        }
        const existing = await this.getTask(message);
        if (existing?.state === 'pending') {
          toSend.push(message);
        }
      }
    }
    return toSend;
  }

  /** A page task by its message. */
  async getTask(message: PageMessage): Promise<TaskRecord | undefined> {
    const answer = await this.dynamo.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { syncId: message.syncId, rec: taskRec(message) },
        ConsistentRead: true,
      }),
    );
    return answer.Item as TaskRecord | undefined;
  }

  /**
   * Claims a page task for one worker until `leaseUntil`.
   *
   * The lease lives in the item, not in a TTL: DynamoDB deletes expired
   * items late, so a TTL could never free a task on time.
   */
  async claimTask(
    message: PageMessage,
    owner: string,
    now: number,
    leaseMs: number,
  ): Promise<ClaimResult> {
    try {
      const answer = await this.dynamo.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { syncId: message.syncId, rec: taskRec(message) },
          UpdateExpression:
            'SET #state = :claimed, #owner = :owner, leaseUntil = :until ' +
            'ADD attempts :one',
          ConditionExpression: [
            // The task exists: the sync was not deleted under us.
            'attribute_exists(rec) AND (',
            // Nobody works on it ...
            '#state = :pending OR',
            // ... or its worker stopped renewing the lease.
            '(#state = :claimed AND leaseUntil < :now))',
          ].join(' '),
          ExpressionAttributeNames: { '#state': 'state', '#owner': 'owner' },
          ExpressionAttributeValues: {
            ':claimed': 'claimed',
            ':pending': 'pending',
            ':owner': owner,
            ':until': now + leaseMs,
            ':now': now,
            ':one': 1,
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return {
        kind: 'claimed',
        attempts: Number(answer.Attributes?.attempts ?? 1),
      };
    } catch (error) {
      if (!isConditionFailure(error)) {
        throw error;
      }
      const old = storedItemOf(error);
      if (!old) {
        return { kind: 'missing' };
      }
      if (old.state === 'done' || old.state === 'failed') {
        return { kind: 'finished', state: old.state };
      }
      return { kind: 'busy', leaseUntil: Number(old.leaseUntil ?? 0) };
    }
  }

  /** Extends a lease the worker still holds; false when it lost it. */
  async renewLease(
    message: PageMessage,
    owner: string,
    leaseUntil: number,
  ): Promise<boolean> {
    return this.sendIfAllowed(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { syncId: message.syncId, rec: taskRec(message) },
        UpdateExpression: 'SET leaseUntil = :until',
        ConditionExpression: '#state = :claimed AND #owner = :owner',
        ExpressionAttributeNames: { '#state': 'state', '#owner': 'owner' },
        ExpressionAttributeValues: {
          ':claimed': 'claimed',
          ':owner': owner,
          ':until': leaseUntil,
        },
      }),
    );
  }

  /** Hands a claimed task back so another delivery can take it at once. */
  async releaseTask(message: PageMessage, owner: string): Promise<void> {
    try {
      await this.dynamo.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { syncId: message.syncId, rec: taskRec(message) },
          UpdateExpression: 'SET #state = :pending REMOVE #owner, leaseUntil',
          ConditionExpression: '#state = :claimed AND #owner = :owner',
          ExpressionAttributeNames: { '#state': 'state', '#owner': 'owner' },
          ExpressionAttributeValues: {
            ':claimed': 'claimed',
            ':pending': 'pending',
            ':owner': owner,
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) {
        throw error;
      }
    }
  }

  /**
   * Records a page's outcome and adds it to its job, in one transaction
   * that only the task's current owner can commit: a duplicate delivery
   * or a worker whose lease ran out cannot count the page again.
   *
   * @returns false when the worker no longer owned the task.
   */
  async finishTask(
    message: PageMessage,
    owner: string,
    state: 'done' | 'failed',
    outcome: PageOutcome,
  ): Promise<boolean> {
    const { counts } = outcome;
    const skipNames: Record<string, string> = {};
    const skipValues: Record<string, number> = {};
    const skipAdds = Object.entries(outcome.skipReasons).map(
      ([reason, count], index) => {
        skipNames[`#skip${index}`] = `embeddingsSkipped_${reason}`;
        skipValues[`:skip${index}`] = count;
        return `#skip${index} :skip${index}`;
      },
    );
    try {
      await this.dynamo.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: { syncId: message.syncId, rec: taskRec(message) },
                UpdateExpression:
                  'SET #state = :state, #counts = :counts, warnings = :warnings, ' +
                  '#errors = :errors, requestMs = :requestMs, upsertMs = :upsertMs, ' +
                  'finishedAt = :now REMOVE pendingKind, pendingSince, leaseUntil',
                ConditionExpression: '#state = :claimed AND #owner = :owner',
                ExpressionAttributeNames: {
                  '#state': 'state',
                  '#owner': 'owner',
                  '#counts': 'counts',
                  '#errors': 'errors',
                },
                ExpressionAttributeValues: {
                  ':state': state,
                  ':claimed': 'claimed',
                  ':owner': owner,
                  ':counts': counts,
                  ':warnings': outcome.warnings.slice(0, MAX_FINDINGS_PER_TASK),
                  ':errors': outcome.errors.slice(0, MAX_FINDINGS_PER_TASK),
                  ':requestMs': outcome.requestMs,
                  ':upsertMs': outcome.upsertMs,
                  ':now': new Date().toISOString(),
                },
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: { syncId: message.syncId, rec: REC.job(message.job) },
                UpdateExpression: [
                  'ADD pagesDone :one, pagesFailed :failedPage,',
                  'created :created, updated :updated, skipped :skipped,',
                  'failed :failed, embeddingsQueued :eq, embeddingsSkipped :es,',
                  'requestMs :requestMs, upsertMs :upsertMs',
                  ...skipAdds.map((add) => `, ${add}`),
                ].join(' '),
                ...(skipAdds.length > 0 && {
                  ExpressionAttributeNames: skipNames,
                }),
                ExpressionAttributeValues: {
                  ':one': 1,
                  ':failedPage': state === 'failed' ? 1 : 0,
                  ':created': counts.created,
                  ':updated': counts.updated,
                  ':skipped': counts.skipped,
                  ':failed': counts.failed,
                  ':eq': counts.embeddingsQueued,
                  ':es': counts.embeddingsSkipped,
                  ':requestMs': outcome.requestMs,
                  ':upsertMs': outcome.upsertMs,
                  ...skipValues,
                },
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (isTransactionConditionFailure(error)) {
        return false;
      }
      throw error;
    }
  }

  /**
   * Puts a claimed page off while its site asks us to wait, handing the
   * task back and counting the wait against its own budget rather than
   * against the message's receive count.
   *
   * @returns false when the worker no longer owned the task.
   */
  async deferTask(
    message: PageMessage,
    owner: string,
    deferral: { seconds: number; code: string; reason: string; until: Date },
  ): Promise<boolean> {
    return this.sendIfAllowed(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { syncId: message.syncId, rec: taskRec(message) },
        UpdateExpression:
          'SET #state = :pending, deferredUntil = :until, deferredCode = :code, ' +
          'deferredReason = :reason REMOVE #owner, leaseUntil ' +
          'ADD deferrals :one, deferredSeconds :seconds',
        ConditionExpression: '#state = :claimed AND #owner = :owner',
        ExpressionAttributeNames: { '#state': 'state', '#owner': 'owner' },
        ExpressionAttributeValues: {
          ':pending': 'pending',
          ':claimed': 'claimed',
          ':owner': owner,
          ':until': deferral.until.toISOString(),
          ':code': deferral.code,
          ':reason': deferral.reason,
          ':one': 1,
          ':seconds': deferral.seconds,
        },
      }),
    );
  }

  /**
   * Re-opens a failed page, its job and its sync, so a redriven message
   * is worked again and the sync can still finish.
   *
   * @returns false when the task was not failed (nothing to re-open).
   */
  async reopenTask(message: PageMessage, now: Date): Promise<boolean> {
    const at = now.toISOString();
    try {
      await this.dynamo.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: { syncId: message.syncId, rec: taskRec(message) },
                UpdateExpression:
                  'SET #state = :pending, pendingKind = :task, pendingSince = :now, ' +
                  'reopenedAt = :now, previousErrors = #errors, #errors = :none, ' +
                  'deferredSeconds = :zero REMOVE #owner, leaseUntil, finishedAt',
                ConditionExpression: '#state = :failed',
                ExpressionAttributeNames: {
                  '#state': 'state',
                  '#owner': 'owner',
                  '#errors': 'errors',
                },
                ExpressionAttributeValues: {
                  ':pending': 'pending',
                  ':failed': 'failed',
                  ':task': 'task',
                  ':now': at,
                  ':none': [],
                  ':zero': 0,
                },
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: { syncId: message.syncId, rec: REC.job(message.job) },
                UpdateExpression:
                  'SET #status = :running ADD pagesDone :minus, pagesFailed :minus ' +
                  'REMOVE finishedAt',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: {
                  ':running': 'running',
                  ':minus': -1,
                },
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: { syncId: message.syncId, rec: REC.sync },
                UpdateExpression:
                  'SET #status = :running, pendingKind = :sync, pendingSince = :now ' +
                  'REMOVE finishedAt',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: {
                  ':running': 'running',
                  ':sync': 'sync',
                  ':now': at,
                },
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (isTransactionConditionFailure(error)) {
        return false;
      }
      throw error;
    }
  }

  /**
   * Marks a job finished once every page it grew is done. Successor pages
   * are created before their predecessor finishes, so equal counts mean no
   * page of the job can still appear.
   *
   * @returns the job once it is finished, by this call (`finishedNow`) or
   *   an earlier one; undefined while pages are still to be done.
   */
  async finishJobIfDone(
    syncId: string,
    job: JobType,
    now: Date,
  ): Promise<(JobRecord & { finishedNow: boolean }) | undefined> {
    const answer = await this.dynamo.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { syncId, rec: REC.job(job) },
        ConsistentRead: true,
      }),
    );
    const record = answer.Item as JobRecord | undefined;
    if (record?.finishedAt) {
      return { ...record, finishedNow: false };
    }
    if (!record || record.pagesDone < record.pagesTotal) {
      return undefined;
    }
    const status = jobStatus(record);
    try {
      await this.dynamo.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { syncId, rec: REC.job(job) },
          UpdateExpression: 'SET #status = :status, finishedAt = :now',
          ConditionExpression:
            'attribute_not_exists(finishedAt) AND pagesDone = :done',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':status': status,
            ':now': now.toISOString(),
            ':done': record.pagesTotal,
          },
        }),
      );
      return {
        ...record,
        status,
        finishedAt: now.toISOString(),
        finishedNow: true,
      };
    } catch (error) {
      if (isConditionFailure(error)) {
        return undefined;
      }
      throw error;
    }
  }

  /** The four jobs of a sync. */
  async getJobs(syncId: string): Promise<JobRecord[]> {
    const answer = await this.dynamo.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'syncId = :sync AND begins_with(rec, :job)',
        ExpressionAttributeValues: { ':sync': syncId, ':job': 'JOB#' },
        ConsistentRead: true,
      }),
    );
    return (answer.Items ?? []) as JobRecord[];
  }

  /**
   * Closes a sync with its final status, once.
   *
   * @returns true when this call closed it.
   */
  async finishSync(
    syncId: string,
    status: FinalStatus,
    danglingReferences: Partial<Record<JobType, number>>,
    now: Date,
  ): Promise<boolean> {
    return this.sendIfAllowed(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { syncId, rec: REC.sync },
        UpdateExpression:
          'SET #status = :status, finishedAt = :now, danglingReferences = :dangling ' +
          'REMOVE pendingKind, pendingSince',
        ConditionExpression: 'attribute_not_exists(finishedAt)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':status': status,
          ':now': now.toISOString(),
          ':dangling': danglingReferences,
        },
      }),
    );
  }

  /**
   * Stores embedding requests before they are sent, so a worker that dies
   * in between leaves them for the next delivery or restart to send.
   */
  async addToOutbox(entries: readonly OutboxEntry[]): Promise<void> {
    const pendingSince = new Date().toISOString();
    for (let start = 0; start < entries.length; start += BATCH_WRITE_LIMIT) {
      let requests: Record<string, unknown>[] = entries
        .slice(start, start + BATCH_WRITE_LIMIT)
        .map((entry) => ({
          PutRequest: {
            Item: { ...entry, pendingKind: 'embedding', pendingSince },
          },
        }));
      for (let round = 0; requests.length > 0; round++) {
        if (round > 0) {
          await sleep(Math.min(1000, 50 * 2 ** round));
        }
        const answer = await this.dynamo.send(
          new BatchWriteCommand({
            RequestItems: { [this.tableName]: requests as never },
          }),
        );
        requests = (answer.UnprocessedItems?.[this.tableName] ?? []) as Record<
          string,
          unknown
        >[];
      }
    }
  }

  /** Embedding requests of one task that were stored but not yet sent. */
  async pendingOutboxOfTask(
    syncId: string,
    taskRecKey: string,
  ): Promise<OutboxEntry[]> {
    const rows: OutboxEntry[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.dynamo.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'syncId = :sync AND begins_with(rec, :embed)',
          FilterExpression: 'taskRec = :task AND attribute_exists(pendingKind)',
          ExpressionAttributeValues: {
            ':sync': syncId,
            ':embed': 'EMBED#',
            ':task': taskRecKey,
          },
          ExclusiveStartKey: startKey,
        }),
      );
      rows.push(...((page.Items ?? []) as OutboxEntry[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return rows;
  }

  /** Marks outbox entries as handed to the queue. */
  async markSent(syncId: string, recs: readonly string[]): Promise<void> {
    await mapConcurrent(recs, 16, (rec) =>
      this.dynamo.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { syncId, rec },
          UpdateExpression:
            'SET sentAt = :now REMOVE pendingKind, pendingSince',
          ExpressionAttributeValues: { ':now': new Date().toISOString() },
        }),
      ),
    );
  }

  /**
   * Work recorded but maybe never sent: pending tasks and embedding
   * requests, from the sparse `pending` index.
   */
  async *listPending(
    kind: 'task' | 'embedding' | 'sync',
  ): AsyncGenerator<Record<string, unknown>> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.dynamo.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'pending',
          KeyConditionExpression: 'pendingKind = :kind',
          ExpressionAttributeValues: { ':kind': kind },
          ExclusiveStartKey: startKey,
        }),
      );
      yield* page.Items ?? [];
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  /**
   * Takes the lock that lets one sync (or one deletion) of a site run at a
   * time: a conditional write, so of two racing requests exactly one wins.
   *
   * @param stale a holder the caller found dead; its lock is taken over.
   * @returns the holder that kept the lock when this call did not get it.
   */
  async acquireSiteLock(
    lock: { tenantId: string; siteId: string; holder: string },
    now: Date,
    stale?: string,
  ): Promise<SiteLockResult> {
    try {
      await this.dynamo.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: siteLockKey(lock.tenantId, lock.siteId),
          UpdateExpression: 'SET holder = :holder, since = :since',
          ConditionExpression: [
            // Nobody holds the lock ...
            'attribute_not_exists(holder)',
            // ... or the caller saw its holder finished or dead.
            ...(stale ? ['OR holder = :stale'] : []),
          ].join(' '),
          ExpressionAttributeValues: {
            ':holder': lock.holder,
            ':since': now.toISOString(),
            ...(stale && { ':stale': stale }),
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { acquired: true };
    } catch (error) {
      if (!isConditionFailure(error)) {
        throw error;
      }
      const raw = (error as { Item?: Record<string, AttributeValue> }).Item;
      const old = raw ? unmarshall(raw) : {};
      return {
        acquired: false,
        holder: String(old.holder ?? ''),
        since: String(old.since ?? ''),
      };
    }
  }

  /**
   * Releases a site's lock if `holder` still holds it; a lock another
   * holder took over meanwhile is left alone.
   *
   * @returns true when this call released it.
   */
  async releaseSiteLock(
    tenantId: string,
    siteId: string,
    holder: string,
  ): Promise<boolean> {
    return this.sendIfAllowed(
      new UpdateCommand({
        TableName: this.tableName,
        Key: siteLockKey(tenantId, siteId),
        UpdateExpression: 'REMOVE holder, since',
        ConditionExpression: 'holder = :holder',
        ExpressionAttributeValues: { ':holder': holder },
      }),
    );
  }

  /**
   * Closes a tenant's running sync as `failed` with `error`, so workers
   * that read it later see a finished sync.
   *
   * @returns `cancelled` with the closed record; `finished` with the record
   *   when it had ended already; `missing` for no sync of this tenant.
   */
  async cancelSync(
    tenantId: string,
    syncId: string,
    error: { code: string; message: string },
    now: Date,
  ): Promise<CancelResult> {
    try {
      const answer = await this.dynamo.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { syncId, rec: REC.sync },
          UpdateExpression:
            'SET #status = :failed, finishedAt = :now, #error = :error ' +
            'REMOVE pendingKind, pendingSince',
          ConditionExpression: [
            // The sync exists and is the caller's ...
            'attribute_exists(rec) AND tenantId = :tenant AND',
            // ... and has not ended yet.
            'attribute_not_exists(finishedAt)',
          ].join(' '),
          ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
          ExpressionAttributeValues: {
            ':failed': 'failed',
            ':now': now.toISOString(),
            ':error': error,
            ':tenant': tenantId,
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return {
        kind: 'cancelled',
        sync: answer.Attributes as unknown as SyncRecord,
      };
    } catch (failure) {
      if (!isConditionFailure(failure)) {
        throw failure;
      }
      const raw = (failure as { Item?: Record<string, AttributeValue> }).Item;
      const old = raw ? (unmarshall(raw) as SyncRecord) : undefined;
      // Another tenant's sync is as absent as a random id.
      return old && old.tenantId === tenantId
        ? { kind: 'finished', sync: old }
        : { kind: 'missing' };
    }
  }

  /** The ids of every sync of a tenant's site, oldest first. */
  async syncIdsOfSite(tenantId: string, siteId: string): Promise<string[]> {
    const ids: string[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.dynamo.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'bySite',
          KeyConditionExpression: 'siteKey = :site',
          ExpressionAttributeValues: { ':site': siteKey(tenantId, siteId) },
          ProjectionExpression: 'syncId',
          ExclusiveStartKey: startKey,
        }),
      );
      ids.push(...(page.Items ?? []).map((row) => String(row.syncId)));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return ids;
  }

  /**
   * Sends a conditional write.
   *
   * @returns false when its condition did not hold; other errors throw.
   */
  private async sendIfAllowed(command: UpdateCommand): Promise<boolean> {
    try {
      await this.dynamo.send(command);
      return true;
    } catch (error) {
      if (isConditionFailure(error)) {
        return false;
      }
      throw error;
    }
  }
}

/** What {@link SyncStore.acquireSiteLock} found. */
export type SiteLockResult =
  | { readonly acquired: true }
  | {
      readonly acquired: false;
      readonly holder: string;
      readonly since: string;
    };

/** What {@link SyncStore.cancelSync} found. */
export type CancelResult =
  | { readonly kind: 'cancelled' | 'finished'; readonly sync: SyncRecord }
  | { readonly kind: 'missing' };

/**
 * The key of a site's lock item. It lives in the syncs table, in a
 * partition of its own that no sync id can take (they start `sync_`), and
 * carries no `siteKey` or `pendingKind`, so no index ever lists it.
 */
export function siteLockKey(
  tenantId: string,
  siteId: string,
): { syncId: string; rec: string } {
  return { syncId: `LOCK#${siteKey(tenantId, siteId)}`, rec: 'LOCK' };
}

/** The sort key of a page task. */
export function taskRec(message: Pick<PageMessage, 'resource' | 'page'>) {
  return REC.task(message.resource, message.page);
}

/** The bySite index key of a tenant's site. */
export function siteKey(tenantId: string, siteId: string): string {
  return `${tenantId}#${siteId}`;
}

/** A finished job's status from its counters. */
export function jobStatus(job: JobRecord): FinalStatus {
  if (job.pagesFailed > 0) {
    return 'failed';
  }
  return job.failed > 0 ? 'completed_with_errors' : 'completed';
}

function newJob(syncId: string, job: JobType): Record<string, unknown> {
  return {
    syncId,
    rec: REC.job(job),
    job,
    status: 'queued',
    pagesTotal: JOB_RESOURCES[job].length,
    pagesDone: 0,
    pagesFailed: 0,
    created: 0,
    updated: 0,
    skipped: 0,
    failed: 0,
    embeddingsQueued: 0,
    embeddingsSkipped: 0,
    requestMs: 0,
    upsertMs: 0,
  };
}

function newTask(
  message: PageMessage,
  createdAt: string,
): Record<string, unknown> {
  return {
    syncId: message.syncId,
    rec: taskRec(message),
    job: message.job,
    resource: message.resource,
    page: message.page,
    tenantId: message.tenantId,
    siteId: message.siteId,
    correlationId: message.correlationId,
    state: 'pending',
    attempts: 0,
    pendingKind: 'task',
    pendingSince: createdAt,
  };
}

function isTransactionConditionFailure(error: unknown): boolean {
  if (
    !(error instanceof Error) ||
    error.name !== 'TransactionCanceledException'
  ) {
    return false;
  }
  const reasons = (error as { CancellationReasons?: { Code?: string }[] })
    .CancellationReasons;
  return (reasons ?? []).some(
    (reason) => reason.Code === 'ConditionalCheckFailed',
  );
}

export type { Resource };

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The item a failed condition returned. The document client does not
 * translate it, so it arrives as raw attribute values.
 */
function storedItemOf(error: unknown): Record<string, unknown> | undefined {
  const item = (error as { Item?: Record<string, AttributeValue> }).Item;
  return item ? unmarshall(item) : undefined;
}
