import { WpSyncError } from '../errors.js';
import type { Log } from '../observability/telemetry.js';
import type { SecretStore } from '../secrets/secret-store.js';
import { type SyncStore, siteLockKey } from '../sync/sync-store.js';
import type { PartitionPurger } from './partition-purge.js';
import type { SiteAccessLoader } from './site-access.js';
import { DELETION_HOLDER, takeSiteLock } from './site-lock.js';
import type { SiteStore } from './site-store.js';

/**
 * Deletes a tenant's site with everything stored for it: its items, its
 * syncs' records, its application password and, last, the site record
 * and its lock.
 *
 * The site's lock is held throughout, so no sync can start on a half
 * deleted site; the record goes last, so a deletion that dies half way can
 * be run again and finishes the work.
 *
 * @throws {WpSyncError} `SITE_NOT_FOUND` for a site that is not the
 *   tenant's; `SYNC_IN_PROGRESS` (its `syncId` in `context`) while a sync
 *   runs: cancel it first.
 */
export async function deleteSite(
  request: { tenantId: string; siteId: string },
  deps: {
    sites: SiteStore;
    siteAccess: SiteAccessLoader;
    secrets: SecretStore;
    syncs: SyncStore;
    purger: PartitionPurger;
    log: Log;
    now?: () => Date;
  },
): Promise<void> {
  const { tenantId, siteId } = request;
  const site = await deps.sites.get(tenantId, siteId);
  if (!site) {
    throw new WpSyncError('SITE_NOT_FOUND', `Site ${siteId} is not known`);
  }
  const now = (deps.now ?? (() => new Date()))();
  await takeSiteLock(request, DELETION_HOLDER, { syncs: deps.syncs, now });

  const items = await deps.purger.purge('items', siteId);
  const syncIds = await deps.syncs.syncIdsOfSite(tenantId, siteId);
  for (const syncId of syncIds) {
    await deps.purger.purge('syncs', syncId);
  }
  await deps.secrets.delete(site.secretRef);
  deps.siteAccess.forget(tenantId, siteId);
  await deps.sites.delete(tenantId, siteId);
  await deps.purger.purge('syncs', siteLockKey(tenantId, siteId).syncId);
  deps.log.info('Site deleted', { siteId, items, syncs: syncIds.length });
}
