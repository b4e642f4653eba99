/**
 * One sync, or one deletion, of a site at a time: who holds a site's lock
 * and when a lock whose holder is gone may be taken over.
 */
import { WpSyncError } from '../errors.js';
import type { SyncStore } from '../sync/sync-store.js';

/** The holder a site's deletion takes the lock as. */
export const DELETION_HOLDER = 'deletion';

/**
 * How long a lock may name a sync that does not exist yet: the lock is
 * taken before the sync is written, and a request that died in between
 * leaves such a lock behind.
 */
export const UNBORN_SYNC_GRACE_MS = 5 * 60_000;

/**
 * Takes a site's lock for `holder`, taking over a lock whose sync has
 * finished (its release was lost) or never came to exist.
 *
 * @throws {WpSyncError} `SYNC_IN_PROGRESS` with the running `syncId` in
 *   its context when a live sync holds the lock; `SITE_NOT_FOUND` while the
 *   site is being deleted.
 */
export async function takeSiteLock(
  site: { tenantId: string; siteId: string },
  holder: string,
  deps: { syncs: SyncStore; now: Date },
): Promise<void> {
  const lock = { ...site, holder };
  let taken = await deps.syncs.acquireSiteLock(lock, deps.now);
  // Deletions may overlap: a retried DELETE finishes the first one's work.
  const rejoin = !taken.acquired && taken.holder === DELETION_HOLDER;
  if (
    !taken.acquired &&
    ((rejoin && holder === DELETION_HOLDER) || (await isDead(taken, deps)))
  ) {
    taken = await deps.syncs.acquireSiteLock(lock, deps.now, taken.holder);
  }
  if (taken.acquired) {
    return;
  }
  if (taken.holder === DELETION_HOLDER) {
    throw new WpSyncError('SITE_NOT_FOUND', `Site ${site.siteId} is not known`);
  }
  throw new WpSyncError(
    'SYNC_IN_PROGRESS',
    `Sync ${taken.holder} of this site is still running`,
    { context: { syncId: taken.holder } },
  );
}

async function isDead(
  lock: { holder: string; since: string },
  deps: { syncs: SyncStore; now: Date },
): Promise<boolean> {
  const age = deps.now.getTime() - Date.parse(lock.since);
  if (lock.holder === DELETION_HOLDER) {
    // A deletion that died half way is finished by the next one.
    return age > UNBORN_SYNC_GRACE_MS;
  }
  const sync = await deps.syncs.getSync(lock.holder);
  return sync ? sync.finishedAt !== undefined : age > UNBORN_SYNC_GRACE_MS;
}
