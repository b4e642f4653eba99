/**
 * After a restart, sends again what the store says is not done yet: the
 * SQS emulator keeps no messages across restarts, the store does.
 */
import type { Log } from '../../shared/observability/telemetry.js';
import { JOB_TYPES } from '../../shared/resources.js';
import { createService } from '../../shared/service.js';
import { closeSyncIfDone } from '../../shared/sync/finish-sync.js';
import {
  type PageMessage,
  pageMessageSchema,
} from '../../shared/sync/model.js';
import { toEmbeddingMessage } from '../../shared/sync/page-worker.js';
import type { OutboxEntry } from '../../shared/sync/sync-store.js';

/** Resends pending page tasks and unsent embedding requests. */
export async function resendPendingWork(log: Log): Promise<void> {
  const service = createService();
  const pages: PageMessage[] = [];
  for await (const task of service.syncs.listPending('task')) {
    const message = pageMessageSchema.safeParse({ v: 1, ...task });
    if (message.success) {
      pages.push(message.data);
    } else {
      log.warn('A pending task cannot be resent', { rec: task.rec });
    }
  }
  await service.dispatcher.sendPages(pages);
  const embeddings: OutboxEntry[] = [];
  for await (const entry of service.syncs.listPending('embedding')) {
    embeddings.push(entry as unknown as OutboxEntry);
  }
  await service.dispatcher.sendEmbeddings(embeddings.map(toEmbeddingMessage));
  for (const entry of embeddings) {
    await service.syncs.markSent(entry.syncId, [entry.rec]);
  }
  // A runtime that died after a sync's last page was recorded but before
  // the sync was closed leaves no message behind: close such syncs now.
  let closed = 0;
  for await (const sync of service.syncs.listPending('sync')) {
    for (const job of JOB_TYPES) {
      const status = await closeSyncIfDone(
        {
          syncId: String(sync.syncId),
          tenantId: String(sync.tenantId),
          siteId: String(sync.siteId),
          job,
        },
        { syncs: service.syncs, items: service.items, log },
        new Date(),
      );
      if (status) closed++;
    }
  }
  if (pages.length + embeddings.length + closed > 0) {
    log.info('Resent work left by an earlier run', {
      pages: pages.length,
      embeddings: embeddings.length,
      syncsClosed: closed,
    });
  }
}
