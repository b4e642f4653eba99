/**
 * Writes one fetched page of WordPress items into the store.
 */

import {
  contentHash,
  type ItemContent,
  itemKey,
  type StoredItem,
  type SyncAction,
} from '../content/item.js';
import type { ItemStore } from '../content/item-store.js';
import { mapItem, type SiteContext } from '../content/map-item.js';
import { decide } from '../content/versioning.js';
import { asError, WpSyncError } from '../errors.js';
import type { Finding, Resource } from './model.js';

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
  for (const [key, content] of contents) {
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
    const decision = decide(item, stored.get(key));
    if (decision.kind === 'skip') {
      outcomes.push({
        kind: 'skipped',
        wpId: item.wpId,
        reason: decision.reason,
      });
      continue;
    }
    if (decision.kind === 'replay') {
      outcomes.push({
        kind: decision.action,
        item: { ...item, syncAction: decision.action },
      });
      continue;
    }
    const toWrite = {
      ...item,
      syncAction: decision.kind === 'create' ? 'created' : 'updated',
    } as const;
    try {
      const result = await store.put(toWrite);
      outcomes.push(
        result === 'written'
          ? { kind: toWrite.syncAction, item: toWrite }
          : { kind: 'skipped', wpId: item.wpId, reason: 'newer-stored' },
      );
    } catch (error) {
      if (!(error instanceof WpSyncError)) {
        throw error;
      }
      outcomes.push({
        kind: 'failed',
        finding: {
          code: error.code,
          message: error.message,
          wpId: item.wpId,
          resource: write.resource,
          page: write.page,
        },
      });
    }
  }
  return outcomes;
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
