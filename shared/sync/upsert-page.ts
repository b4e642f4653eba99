/**
 * Writes one fetched page of WordPress items into the store.
 */

import { mapConcurrent } from '../concurrency.js';
import {
  contentHash,
  type ItemContent,
  itemKey,
  type StoredItem,
  type SyncAction,
} from '../content/item.js';
import type { ItemStore } from '../content/item-store.js';
import { mapItem, type SiteContext } from '../content/map-item.js';
import { decide, type StoredVersion } from '../content/versioning.js';
import { asError, WpSyncError } from '../errors.js';
import type { Finding, Resource } from './model.js';

/** Writes in flight per page: DynamoDB takes them in parallel. */
const WRITE_CONCURRENCY = 16;

/** What happened to one item of the page. */
export type ItemOutcome =
  | { readonly kind: SyncAction; readonly item: StoredItem }
  | { readonly kind: 'skipped'; readonly wpId: number; readonly reason: string }
  | { readonly kind: 'failed'; readonly finding: Finding };

/** The identity of the write: which sync and which task makes it. */
export interface WriteContext {
  readonly syncId: string;
  readonly syncTask: string;
  readonly resource: Resource;
  readonly page: number;
  readonly fetchedAt: string;
}

/**
 * Maps, deduplicates and upserts the items of a page.
 *
 * Stored versions are read first in one batch, so an unchanged or stale
 * item costs no write. Changed items are then written with the last-write
 * -wins condition, which settles any race with another worker.
 */
export async function upsertPage(
  rawItems: readonly Record<string, unknown>[],
  site: SiteContext,
  write: WriteContext,
  store: ItemStore,
  /** Called once half of the page's writes are done (fault injection). */
  halfway?: () => void,
): Promise<ItemOutcome[]> {
  const outcomes: ItemOutcome[] = [];
  const contents = new Map<string, ItemContent>();
  for (const raw of rawItems) {
    try {
      const content = mapItem(write.resource, raw, site);
      const key = itemKey(content.type, content.wpId);
      // Unstable ordering can list an item twice on one page.
      if (!contents.has(key)) {
        contents.set(key, content);
      }
    } catch (error) {
      outcomes.push({
        kind: 'failed',
        finding: itemFinding(error, raw, write),
      });
    }
  }
  const stored = await store.readVersions(site.siteId, [...contents.keys()]);
  const half = Math.floor(contents.size / 2);
  let done = 0;
  const written = await mapConcurrent(
    [...contents],
    WRITE_CONCURRENCY,
    async ([key, content]) => {
      const outcome = await upsertOne(
        key,
        content,
        stored.get(key),
        site,
        write,
        store,
      );
      if (++done === half) halfway?.();
      return outcome;
    },
  );
  outcomes.push(...written);
  return outcomes;
}

async function upsertOne(
  key: string,
  content: ItemContent,
  stored: StoredVersion | undefined,
  site: SiteContext,
  write: WriteContext,
  store: ItemStore,
): Promise<ItemOutcome> {
  const item: StoredItem = {
    ...content,
    siteId: site.siteId,
    itemKey: key,
    hash: contentHash(content),
    fetchedAt: write.fetchedAt,
    syncId: write.syncId,
    syncTask: write.syncTask,
    syncAction: 'created',
  };
  const decision = decide(item, stored);
  if (decision.kind === 'skip') {
    return { kind: 'skipped', wpId: item.wpId, reason: decision.reason };
  }
  if (decision.kind === 'replay') {
    return {
      kind: decision.action,
      item: { ...item, syncAction: decision.action },
    };
  }
  const toWrite: StoredItem = {
    ...item,
    syncAction: decision.kind === 'create' ? 'created' : 'updated',
  };
  try {
    const result = await store.put(toWrite);
    return result === 'written'
      ? { kind: toWrite.syncAction, item: toWrite }
      : { kind: 'skipped', wpId: item.wpId, reason: 'newer-stored' };
  } catch (error) {
    if (!(error instanceof WpSyncError)) {
      throw error;
    }
    return {
      kind: 'failed',
      finding: {
        code: error.code,
        message: error.message,
        wpId: item.wpId,
        resource: write.resource,
        page: write.page,
      },
    };
  }
}

function itemFinding(
  error: unknown,
  raw: Record<string, unknown>,
  write: WriteContext,
): Finding {
  const wpId = typeof raw.id === 'number' ? raw.id : undefined;
  const code = error instanceof WpSyncError ? error.code : 'ITEM_INVALID';
  return {
    code,
    message: asError(error).message,
    ...(wpId !== undefined && { wpId }),
    resource: write.resource,
    page: write.page,
  };
}
