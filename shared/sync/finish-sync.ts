/**
 * Closes jobs and syncs once their last page is recorded.
 */

import { type ItemRef, type ItemType, itemKey } from '../content/item.js';
import type { ItemStore } from '../content/item-store.js';
import type { Log } from '../observability/telemetry.js';
import type { JobType } from '../resources.js';
import type { FinalStatus, PageMessage, SyncStatus } from './model.js';
import type { SyncStore } from './sync-store.js';

const JOB_OF_TYPE: Record<ItemType, JobType> = {
  category: 'terms',
  tag: 'terms',
  media: 'media',
  page: 'pages',
  post: 'posts',
};

/**
 * Finishes the page's job if this was its last page, and the sync if that
 * was its last job.
 *
 * @returns the sync's final status when this call closed it.
 */
export async function closeSyncIfDone(
  message: Pick<PageMessage, 'syncId' | 'tenantId' | 'siteId' | 'job'>,
  deps: { syncs: SyncStore; items: ItemStore; log: Log },
  now: Date,
): Promise<FinalStatus | undefined> {
  const job = await deps.syncs.finishJobIfDone(
    message.syncId,
    message.job,
    now,
  );
  if (!job) {
    return undefined;
  }
  if (job.finishedNow) {
    deps.log.info('Job finished', { job: job.job, status: job.status });
  }
  // Also when the job finished earlier: a worker may have died between
  // finishing the last job and closing the sync, and a redelivery or a
  // restart must still close it.
  const sync = await deps.syncs.getSync(message.syncId);
  if (!sync || sync.finishedAt) {
    return undefined;
  }
  const jobs = await deps.syncs.getJobs(message.syncId);
  if (jobs.some((other) => !other.finishedAt)) {
    return undefined;
  }
  const dangling = await countDanglingReferences(deps.items, message.siteId);
  const status = syncStatus(jobs.map((other) => other.status));
  if (!(await deps.syncs.finishSync(message.syncId, status, dangling, now))) {
    return undefined;
  }
  // The site may sync again; a cancel released the lock already.
  await deps.syncs.releaseSiteLock(
    message.tenantId,
    message.siteId,
    message.syncId,
  );
  deps.log.info('Sync finished', { status, danglingReferences: dangling });
  return status;
}

/** A sync's status from its jobs' statuses. */
export function syncStatus(statuses: readonly SyncStatus[]): FinalStatus {
  if (statuses.includes('failed')) {
    return 'failed';
  }
  if (statuses.includes('completed_with_errors')) {
    return 'completed_with_errors';
  }
  return 'completed';
}

/**
 * Counts, per job, references to items the store does not hold, such as a
 * featured image that was deleted in WordPress. They are kept in the items
 * and only reported.
 */
export async function countDanglingReferences(
  items: ItemStore,
  siteId: string,
): Promise<Partial<Record<JobType, number>>> {
  const present = new Set<string>();
  const references: { from: ItemType; to: ItemRef }[] = [];
  for await (const item of items.listReferences(siteId)) {
    present.add(itemKey(item.type, item.wpId));
    const refs = [
      item.parent,
      item.featuredMedia,
      ...(item.categories ?? []),
      ...(item.tags ?? []),
    ];
    for (const to of refs) {
      if (to) references.push({ from: item.type, to });
    }
  }
  const counts: Partial<Record<JobType, number>> = {};
  for (const { from, to } of references) {
    if (!present.has(itemKey(to.type, to.wpId))) {
      const job = JOB_OF_TYPE[from];
      counts[job] = (counts[job] ?? 0) + 1;
    }
  }
  return counts;
}
