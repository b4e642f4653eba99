/**
 * Cancelling a running sync at the tenant's request.
 *
 * A cancelled sync ends as `failed` with the error `SYNC_CANCELLED`, the
 * statuses the report already knows; its `finishedAt` tells every worker
 * that later reads the sync to leave its pages alone.
 */
import { WpSyncError } from '../errors.js';
import type { Log } from '../observability/telemetry.js';
import type { SyncRecord } from './model.js';
import type { SyncStore } from './sync-store.js';

/** The error a cancelled sync carries. */
export interface SyncError {
  readonly code: string;
  readonly message: string;
}

/** The error a cancelled sync is closed with. */
export const CANCELLED: SyncError = Object.freeze({
  code: 'SYNC_CANCELLED',
  message: 'The sync was cancelled at the request of the tenant',
});

/**
 * Cancels a tenant's sync and releases its site's lock, so the site can
 * sync again at once. Cancelling a cancelled sync again changes nothing.
 *
 * @returns the closed sync record.
 * @throws {WpSyncError} `SYNC_NOT_FOUND` for a sync that is not the
 *   tenant's; `SYNC_ALREADY_FINISHED` (its `syncId` and `status` in
 *   `context`) for a sync that ended otherwise.
 */
export async function cancelSync(
  request: { tenantId: string; syncId: string },
  deps: { syncs: SyncStore; log: Log; now?: () => Date },
): Promise<SyncRecord> {
  const now = (deps.now ?? (() => new Date()))();
  const outcome = await deps.syncs.cancelSync(
    request.tenantId,
    request.syncId,
    CANCELLED,
    now,
  );
  if (outcome.kind === 'missing') {
    throw new WpSyncError(
      'SYNC_NOT_FOUND',
      `Sync ${request.syncId} is not known`,
    );
  }
  const { sync } = outcome;
  // Also after a repeated cancel: the first one's release may have failed.
  await deps.syncs.releaseSiteLock(sync.tenantId, sync.siteId, sync.syncId);
  if (outcome.kind === 'finished' && errorOf(sync)?.code !== CANCELLED.code) {
    throw new WpSyncError(
      'SYNC_ALREADY_FINISHED',
      `Sync ${sync.syncId} already finished as ${sync.status}`,
      { context: { syncId: sync.syncId, status: sync.status } },
    );
  }
  if (outcome.kind === 'cancelled') {
    deps.log.info('Sync cancelled', {
      syncId: sync.syncId,
      siteId: sync.siteId,
    });
  }
  return sync;
}

/** The error a sync was closed with, such as its cancellation. */
export function errorOf(sync: SyncRecord): SyncError | undefined {
  const { error } = sync as SyncRecord & { error?: SyncError };
  return error?.code ? { code: error.code, message: error.message } : undefined;
}
