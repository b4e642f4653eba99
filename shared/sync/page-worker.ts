/**
 * Works one page task: claim it, fetch the page from WordPress, grow the
 * job's next pages, upsert the items, queue embeddings, record the outcome.
 */

import { itemKey } from '../content/item.js';
import type { ItemStore } from '../content/item-store.js';
import { asError, WordPressError, WpSyncError } from '../errors.js';
import type { Log } from '../observability/telemetry.js';
import type { SiteAccessLoader } from '../sites/site-access.js';
import type { CostPolicyStore } from '../tenants/cost-policy.js';
import {
  fetchPageIsolatingFailures,
  type WpClientDeps,
  type WpConnection,
  type WpIsolatedPage,
} from '../wordpress/client.js';
import type { Checkpoint } from './crash-plan.js';
import type { Dispatcher } from './dispatch.js';
import { closeSyncIfDone } from './finish-sync.js';
import { type HeartbeatTarget, startHeartbeat } from './heartbeat.js';
import {
  type EmbeddingMessage,
  type FinalStatus,
  type Finding,
  type ItemCounts,
  type PageMessage,
  ZERO_COUNTS,
} from './model.js';
import type { SiteLimiter } from './site-limiter.js';
import type { OutboxEntry, PageOutcome, SyncStore } from './sync-store.js';
import { taskRec } from './sync-store.js';
import { type ItemOutcome, upsertPage } from './upsert-page.js';

/** The outcome of a page that wrote nothing. */
const EMPTY_OUTCOME: PageOutcome = Object.freeze({
  counts: { ...ZERO_COUNTS },
  warnings: [],
  errors: [],
  requestMs: 0,
  upsertMs: 0,
  skipReasons: {},
});

/** The most pages one collection may grow: a guard against endless paging. */
export const MAX_PAGES_PER_COLLECTION = 5_000;

/** Collaborators of the page worker. */
export interface PageWorkerDeps {
  readonly syncs: SyncStore;
  readonly items: ItemStore;
  readonly sites: SiteAccessLoader;
  readonly policies: CostPolicyStore;
  readonly dispatcher: Dispatcher;
  readonly log: Log;
  readonly wordpress?: WpClientDeps;
  /** Milliseconds a claim lasts without renewal. */
  readonly leaseMs: number;
  /** Deliveries SQS makes before it moves a message to the dead letters. */
  readonly maxReceiveCount: number;
  /** Longest a page may be put off in all for a site that asks us to wait. */
  readonly maxDeferSeconds: number;
  readonly workerId: string;
  /** Shares each site's concurrent fetches among all workers. */
  readonly limiter?: SiteLimiter;
  /** Fault injection in the local runtime; absent everywhere else. */
  readonly checkpoint?: Checkpoint;
  /** Lets the heartbeat extend the visibility of the delivery at hand. */
  readonly heartbeat?: HeartbeatTarget;
  readonly now?: () => Date;
}

/** What became of a delivery, for the handler's metrics and logs. */
export type PageResult = (
  | { readonly kind: 'done'; readonly outcome: PageOutcome }
  | { readonly kind: 'failed'; readonly error: Finding }
  | { readonly kind: 'duplicate' }
  | {
      readonly kind: 'deferred';
      readonly seconds: number;
      readonly code: string;
    }
) & {
  /** The sync's final status, when this delivery closed the sync. */
  readonly closed?: FinalStatus;
};

/**
 * Thrown when the delivery must be tried again later: SQS then redelivers
 * the message after its visibility timeout.
 */
export class RetryLaterError extends WpSyncError {
  constructor(message: string, cause: unknown) {
    super('INTERNAL', message, { retryable: true, cause });
    this.name = 'RetryLaterError';
  }
}

/**
 * Works one delivery of a page message.
 *
 * @param receiveCount SQS's `ApproximateReceiveCount` of this delivery.
 * @throws {RetryLaterError} when the page should be delivered again.
 */
export async function workPage(
  message: PageMessage,
  receiveCount: number,
  deps: PageWorkerDeps,
): Promise<PageResult> {
  const now = deps.now ?? (() => new Date());
  const claim = await deps.syncs.claimTask(
    message,
    deps.workerId,
    now().getTime(),
    deps.leaseMs,
  );
  if (claim.kind === 'finished') {
    // A duplicate delivery; finish what its first delivery may have left:
    // unsent embedding requests, and the closing of its job and sync.
    await flushOutbox(message, deps);
    const closed = await closeSyncIfDone(message, deps, now());
    return { kind: 'duplicate', ...(closed && { closed }) };
  }
  if (claim.kind === 'missing') {
    deps.log.warn('Page task not found; the sync was removed', {
      task: taskRec(message),
    });
    return { kind: 'duplicate' };
  }
  if (claim.kind === 'busy') {
    throw new RetryLaterError(
      `${taskRec(message)} is being worked on by another worker`,
      undefined,
    );
  }
  const sync = await deps.syncs.getSync(message.syncId);
  if (sync?.finishedAt) {
    // Cancelled (or closed some other way) while this page waited: leave
    // the store alone and close the page, so nothing resends it.
    await deps.syncs.finishTask(message, deps.workerId, 'failed', {
      ...EMPTY_OUTCOME,
      errors: [
        {
          code: 'SYNC_FINISHED',
          message: `The sync had already ended as ${sync.status}`,
          resource: message.resource,
          page: message.page,
        },
      ],
    });
    return { kind: 'duplicate' };
  }
  deps.checkpoint?.('after-claim', message);
  const heartbeat = startHeartbeat({
    message,
    owner: deps.workerId,
    syncs: deps.syncs,
    leaseMs: deps.leaseMs,
    log: deps.log,
    ...(deps.heartbeat && { target: deps.heartbeat }),
  });
  try {
    const result = await workClaimedPage(message, deps, now, heartbeat);
    const closed = await closeSyncIfDone(message, deps, now());
    return closed ? { ...result, closed } : result;
  } catch (error) {
    await heartbeat.stop();
    return handleFailure(message, receiveCount, error, deps, now);
  } finally {
    await heartbeat.stop();
  }
}

async function workClaimedPage(
  message: PageMessage,
  deps: PageWorkerDeps,
  now: () => Date,
  heartbeat: { stop(): Promise<void> },
): Promise<PageResult> {
  const { site, connection } = await deps.sites.load(
    message.tenantId,
    message.siteId,
  );
  const fetchedAt = now().toISOString();
  const page = await fetchPolitely(message, connection, deps);
  deps.checkpoint?.('after-fetch', message);
  await growJob(message, page, deps, now);

  const upsertStarted = Date.now();
  const outcomes = await upsertPage(
    page.items,
    { siteId: site.siteId, gmtOffset: site.gmtOffset },
    {
      syncId: message.syncId,
      syncTask: taskRec(message),
      resource: message.resource,
      page: message.page,
      fetchedAt,
    },
    deps.items,
    () => deps.checkpoint?.('after-some-upserts', message),
  );
  const upsertMs = Date.now() - upsertStarted;
  deps.checkpoint?.('before-record', message);

  const policy = await deps.policies.get(message.tenantId);
  const embeddings = embeddingRequests(message, outcomes);
  const renderFailures: ItemOutcome[] = page.failures.map((failure) => ({
    kind: 'failed',
    finding: {
      code: failure.code,
      message: failure.message,
      ...(failure.id !== undefined && { wpId: failure.id }),
      resource: message.resource,
      page: message.page,
    },
  }));
  outcomes.push(...renderFailures);
  const counts = countOutcomes(outcomes);
  const skipReasons: Record<string, number> = {};
  if (policy === 'OK') {
    counts.embeddingsQueued = embeddings.length;
    await deps.syncs.addToOutbox(embeddings);
  } else if (embeddings.length > 0) {
    counts.embeddingsSkipped = embeddings.length;
    skipReasons[`policy_${policy}`] = embeddings.length;
  }
  const outcome: PageOutcome = {
    counts,
    warnings: page.warnings.map((warning) => ({
      ...warning,
      resource: message.resource,
      page: message.page,
    })),
    errors: outcomes.flatMap((entry) =>
      entry.kind === 'failed' ? [entry.finding] : [],
    ),
    requestMs: page.requestMs,
    upsertMs,
    skipReasons,
  };
  const recorded = await deps.syncs.finishTask(
    message,
    deps.workerId,
    'done',
    outcome,
  );
  // Once recorded the task is no longer claimed: nothing left to hold.
  await heartbeat.stop();
  if (!recorded) {
    // Our lease ran out and another worker took the page over; its
    // outcome is the one that counts.
    deps.log.warn('Lost the page task before recording it', {
      task: taskRec(message),
    });
    return { kind: 'duplicate' };
  }
  await flushOutbox(message, deps);
  deps.checkpoint?.('before-ack', message);
  return { kind: 'done', outcome };
}

/** A site's slot could not be had in time; the page is put off. */
export class SiteBusyError extends WpSyncError {
  constructor(siteId: string) {
    super('SITE_BUSY', `Site ${siteId} has no free fetch slot`, {
      retryable: true,
    });
    this.name = 'SiteBusyError';
  }
}

/** How long a worker waits for one of its site's fetch slots. */
const SLOT_WAIT_MS = 20_000;

/**
 * Fetches the page within the site's shared concurrency limit, slowing
 * the site down when it throttles or fails and speeding it up after a
 * clean page.
 */
async function fetchPolitely(
  message: PageMessage,
  connection: WpConnection,
  deps: PageWorkerDeps,
): Promise<WpIsolatedPage> {
  const { limiter } = deps;
  const holder = `${deps.workerId}/${taskRec(message)}`;
  if (
    limiter &&
    !(await limiter.acquire(message.siteId, holder, SLOT_WAIT_MS))
  ) {
    throw new SiteBusyError(message.siteId);
  }
  try {
    // A page whose rendering fails on the server is split until the
    // failing items are known; the rest of the page is synced.
    const page = await fetchPageIsolatingFailures(
      connection,
      message.resource,
      message.page,
      deps.wordpress,
    );
    const throttled = page.warnings.some(
      (warning) => warning.code === 'WP_RATE_LIMITED',
    );
    await (throttled
      ? limiter?.slowDown(message.siteId)
      : limiter?.speedUp(message.siteId));
    return page;
  } catch (error) {
    if (
      error instanceof WordPressError &&
      (error.code === 'WP_RATE_LIMITED' || error.code === 'WP_UNAVAILABLE')
    ) {
      await limiter?.slowDown(message.siteId);
    }
    throw error;
  } finally {
    await limiter?.release(message.siteId, holder);
  }
}

/**
 * Creates the next page tasks this page reveals, before this page is
 * recorded as done, so a job can never look finished while a page is
 * still to come. Totals are hints: a full last page asks for one more.
 */
async function growJob(
  message: PageMessage,
  page: WpIsolatedPage,
  deps: PageWorkerDeps,
  now: () => Date,
): Promise<void> {
  if (page.end) {
    return;
  }
  const next: number[] = [];
  const knownLast = page.totalPages ?? 0;
  if (message.page === 1) {
    for (let p = 2; p <= Math.min(knownLast, MAX_PAGES_PER_COLLECTION); p++) {
      next.push(p);
    }
  }
  const isFull = page.items.length >= page.perPage;
  if (
    isFull &&
    message.page >= knownLast &&
    message.page < MAX_PAGES_PER_COLLECTION
  ) {
    next.push(message.page + 1);
  }
  if (next.length === 0) {
    return;
  }
  const toSend = await deps.syncs.ensureTasks(message, next, now());
  await deps.dispatcher.sendPages(toSend);
}

async function handleFailure(
  message: PageMessage,
  receiveCount: number,
  error: unknown,
  deps: PageWorkerDeps,
  now: () => Date,
): Promise<PageResult> {
  const retryable =
    error instanceof WpSyncError ? error.retryable : !isProgrammingError(error);
  const lastDelivery = receiveCount >= deps.maxReceiveCount;
  const finding: Finding = {
    code: error instanceof WpSyncError ? error.code : 'INTERNAL',
    message: asError(error).message,
    resource: message.resource,
    page: message.page,
  };
  // The site asked us to wait (maintenance, rate limit): put the page off
  // on a budget of our own instead of spending SQS's receive count.
  const waitAsked =
    (error instanceof WordPressError &&
      error.retryAfterSeconds !== undefined) ||
    error instanceof SiteBusyError;
  if (waitAsked) {
    const deferred = await deferPage(message, error, deps, now);
    if (deferred) {
      return deferred;
    }
  } else if (retryable && !lastDelivery) {
    deps.log.warn('Page failed; it will be delivered again', {
      task: taskRec(message),
      code: finding.code,
      error: finding.message,
      receiveCount,
    });
    await deps.syncs.releaseTask(message, deps.workerId);
    throw new RetryLaterError(finding.message, error);
  }
  deps.log.error('Page failed for good', {
    task: taskRec(message),
    code: finding.code,
    error: finding.message,
    status: error instanceof WordPressError ? error.status : undefined,
    receiveCount,
  });
  await deps.syncs.finishTask(message, deps.workerId, 'failed', {
    ...EMPTY_OUTCOME,
    errors: [finding],
  });
  const closed = await closeSyncIfDone(message, deps, now());
  if (waitAsked) {
    // Deferred copies each arrived fresh, so SQS's receive count never ran
    // out: move the page to the dead letters ourselves.
    await deps.dispatcher.sendPages([message], { deadLetters: true });
    return { kind: 'failed', error: finding, ...(closed && { closed }) };
  }
  if (retryable) {
    // Recorded as failed first, so the report is right even though nothing
    // reads the dead letters; the message still goes there for a redrive.
    throw new RetryLaterError(finding.message, error);
  }
  return { kind: 'failed', error: finding, ...(closed && { closed }) };
}

/**
 * Puts a page off for as long as the site asked (capped by SQS's 15-minute
 * delay), as a fresh delayed copy of the message: waiting out maintenance
 * or a rate limit must not use up the receive count meant for faults.
 *
 * @returns the deferral, or undefined when the page's budget is spent.
 */
async function deferPage(
  message: PageMessage,
  error: WordPressError | SiteBusyError,
  deps: PageWorkerDeps,
  now: () => Date,
): Promise<PageResult | undefined> {
  const task = await deps.syncs.getTask(message);
  const asked = error instanceof WordPressError ? error.retryAfterSeconds : 5;
  const seconds = Math.max(1, Math.min(900, asked ?? 60));
  const spent = task?.deferredSeconds ?? 0;
  if (spent + seconds > deps.maxDeferSeconds) {
    deps.log.warn("Site still unavailable; the page's wait budget is spent", {
      task: taskRec(message),
      code: error.code,
      deferredSeconds: spent,
    });
    return undefined;
  }
  const until = new Date(now().getTime() + seconds * 1000);
  const held = await deps.syncs.deferTask(message, deps.workerId, {
    seconds,
    code: error.code,
    reason: error.message,
    until,
  });
  if (held) {
    await deps.dispatcher.sendPages([message], { delaySeconds: seconds });
  }
  deps.log.info('Page deferred: the site asked us to wait', {
    task: taskRec(message),
    code: error.code,
    seconds,
    deferredSeconds: spent + seconds,
  });
  return { kind: 'deferred', seconds, code: error.code };
}

function isProgrammingError(error: unknown): boolean {
  return error instanceof TypeError || error instanceof RangeError;
}

function countOutcomes(outcomes: readonly ItemOutcome[]): ItemCounts {
  const counts = { ...ZERO_COUNTS };
  for (const outcome of outcomes) {
    if (outcome.kind === 'created') counts.created++;
    else if (outcome.kind === 'updated') counts.updated++;
    else if (outcome.kind === 'skipped') counts.skipped++;
    else counts.failed++;
  }
  return counts;
}

/** Changed, published posts and pages: what the CMS embeds for search. */
function embeddingRequests(
  message: PageMessage,
  outcomes: readonly ItemOutcome[],
): OutboxEntry[] {
  const requests: OutboxEntry[] = [];
  for (const outcome of outcomes) {
    if (outcome.kind !== 'created' && outcome.kind !== 'updated') continue;
    const { item } = outcome;
    if (
      (item.type !== 'post' && item.type !== 'page') ||
      item.status !== 'publish'
    ) {
      continue;
    }
    const body: EmbeddingMessage = {
      v: 1,
      tenantId: message.tenantId,
      siteId: message.siteId,
      syncId: message.syncId,
      localId: item.localId,
      type: item.type,
      wpId: item.wpId,
      hash: item.hash,
      correlationId: message.correlationId,
    };
    requests.push({
      ...body,
      rec: `EMBED#${itemKey(item.type, item.wpId)}`,
      taskRec: taskRec(message),
    });
  }
  return requests;
}

/** Sends a task's stored embedding requests that are not sent yet. */
async function flushOutbox(
  message: PageMessage,
  deps: PageWorkerDeps,
): Promise<void> {
  const pending = await deps.syncs.pendingOutboxOfTask(
    message.syncId,
    taskRec(message),
  );
  if (pending.length === 0) {
    return;
  }
  await deps.dispatcher.sendEmbeddings(pending.map(toEmbeddingMessage));
  await deps.syncs.markSent(
    message.syncId,
    pending.map((entry) => entry.rec),
  );
}

/** Strips the outbox bookkeeping from an entry. */
export function toEmbeddingMessage(entry: OutboxEntry): EmbeddingMessage {
  return {
    v: 1,
    tenantId: entry.tenantId,
    siteId: entry.siteId,
    syncId: entry.syncId,
    localId: entry.localId,
    type: entry.type,
    wpId: entry.wpId,
    hash: entry.hash,
    correlationId: entry.correlationId,
  };
}
