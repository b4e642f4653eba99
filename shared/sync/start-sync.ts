import { randomUUID } from 'node:crypto';
import type { Log } from '../observability/telemetry.js';
import type { SiteAccessLoader } from '../sites/site-access.js';
import { takeSiteLock } from '../sites/site-lock.js';
import { checkCredentials, type WpClientDeps } from '../wordpress/client.js';
import type { Dispatcher } from './dispatch.js';
import type { PageMessage } from './model.js';
import type { SyncStore } from './sync-store.js';

/** A tenant's request to sync one of their sites in full. */
export interface SyncRequest {
  readonly tenantId: string;
  readonly siteId: string;
  readonly correlationId: string;
}

/**
 * Starts a full sync: checks the site is the tenant's, takes the site's
 * lock (so of two racing requests exactly one starts a sync), checks the
 * credentials still work, then creates the sync with its four jobs and
 * queues their first pages. Returns at once; workers do the rest, and the
 * sync's close releases the lock.
 *
 * @throws {WpSyncError} `SITE_NOT_FOUND` for a site that is not the
 *   tenant's, `SYNC_IN_PROGRESS` when one is running (its id in `context`),
 *   or the `WordPressError` of the credential check.
 */
export async function startSync(
  request: SyncRequest,
  deps: {
    sites: SiteAccessLoader;
    syncs: SyncStore;
    dispatcher: Dispatcher;
    log: Log;
    wordpress?: WpClientDeps;
    now?: () => Date;
    newId?: () => string;
  },
): Promise<{ syncId: string; startedAt: string }> {
  // A fresh read: the tenant may just have updated the credentials.
  deps.sites.forget(request.tenantId, request.siteId);
  const { connection } = await deps.sites.load(
    request.tenantId,
    request.siteId,
  );
  const now = (deps.now ?? (() => new Date()))();
  const syncId = `sync_${(deps.newId ?? randomUUID)().replaceAll('-', '')}`;
  const site = { tenantId: request.tenantId, siteId: request.siteId };
  await takeSiteLock(site, syncId, { syncs: deps.syncs, now });
  let messages: PageMessage[];
  try {
    await checkCredentials(connection, deps.wordpress);
    messages = await deps.syncs.createSync({
      syncId,
      tenantId: request.tenantId,
      siteId: request.siteId,
      correlationId: request.correlationId,
      now,
    });
  } catch (error) {
    // No sync exists to release the lock when it ends.
    await deps.syncs.releaseSiteLock(request.tenantId, request.siteId, syncId);
    throw error;
  }
  await deps.dispatcher.sendPages(messages);
  deps.log.info('Sync started', { syncId, siteId: request.siteId });
  return { syncId, startedAt: now.toISOString() };
}
