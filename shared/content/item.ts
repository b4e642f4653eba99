/**
 * The CMS copy of one WordPress item, as the items table stores it and the
 * CMS reads it.
 */
import { createHash } from 'node:crypto';
import type { Resource } from '../sync/model.js';

/** The kinds of item the store keeps; WordPress numbers each separately. */
export type ItemType = 'category' | 'tag' | 'media' | 'page' | 'post';

export const RESOURCE_ITEM_TYPE: Record<Resource, ItemType> = {
  categories: 'category',
  tags: 'tag',
  media: 'media',
  pages: 'page',
  posts: 'post',
};

/** A link from one item to another, resolvable in any order. */
export interface ItemRef {
  readonly type: ItemType;
  readonly wpId: number;
  readonly localId: string;
}

/** Text WordPress renders as HTML, with its plain-text reading. */
export interface RenderedText {
  readonly html: string;
  readonly text: string;
}

/** Fields only attachments have. */
export interface MediaFields {
  readonly mediaType: string;
  readonly mimeType: string;
  readonly sourceUrl: string;
  readonly altText: string;
  readonly details: Record<string, unknown>;
}

/** The content of an item: what its hash covers. */
export interface ItemContent {
  readonly type: ItemType;
  readonly wpId: number;
  readonly localId: string;
  readonly slug: string;
  /** WordPress's status; terms have none. */
  readonly status?: string;
  readonly link: string;
  readonly title: RenderedText;
  readonly excerpt?: RenderedText;
  readonly content?: { readonly html: string };
  readonly dateGmt?: string;
  /** ISO 8601 in UTC; absent for terms, which WordPress does not date. */
  readonly modifiedGmt?: string;
  /** `derived` when WordPress sent no GMT time and the local one was used. */
  readonly modifiedGmtSource?: 'wordpress' | 'derived';
  readonly author?: number;
  readonly parent?: ItemRef;
  readonly featuredMedia?: ItemRef;
  readonly categories?: readonly ItemRef[];
  readonly tags?: readonly ItemRef[];
  readonly acf: Record<string, unknown>;
  readonly media?: MediaFields;
  readonly menuOrder?: number;
  readonly termCount?: number;
}

/** What the sync did to an item when it last wrote it. */
export type SyncAction = 'created' | 'updated';

/** An item as stored: its content plus the bookkeeping of the write. */
export interface StoredItem extends ItemContent {
  readonly siteId: string;
  readonly itemKey: string;
  /** sha256 of the canonical JSON of the content. */
  readonly hash: string;
  /** When the worker fetched this version from WordPress. */
  readonly fetchedAt: string;
  readonly syncId: string;
  /** The page task whose write this is; retries of it recognise it. */
  readonly syncTask: string;
  readonly syncAction: SyncAction;
}

/** The sort key of an item in its site's partition. */
export function itemKey(type: ItemType, wpId: number): string {
  return `${type}#${String(wpId).padStart(12, '0')}`;
}

/**
 * The stable id of an item in the CMS, derived from `(siteId, type, wpId)`.
 *
 * Deriving it lets a post point at a category or image before either has
 * been written, so jobs run side by side in any order.
 */
export function localIdFor(
  siteId: string,
  type: ItemType,
  wpId: number,
): string {
  const digest = createHash('sha256')
    .update(`${siteId}\u0000${type}\u0000${wpId}`)
    .digest('hex');
  return [
    digest.slice(0, 8),
    digest.slice(8, 12),
    // Version 8 (custom) and the RFC 4122 variant keep it a valid UUID.
    `8${digest.slice(13, 16)}`,
    ((Number.parseInt(digest.slice(16, 18), 16) & 0x3f) | 0x80)
      .toString(16)
      .padStart(2, '0') + digest.slice(18, 20),
    digest.slice(20, 32),
  ].join('-');
}

/** A reference to another item of the same site. */
export function refTo(siteId: string, type: ItemType, wpId: number): ItemRef {
  return { type, wpId, localId: localIdFor(siteId, type, wpId) };
}

/** JSON with object keys sorted, so equal content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, inner]) => inner !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries
      .map(([key, inner]) => `${JSON.stringify(key)}:${canonicalJson(inner)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The content hash of an item. */
export function contentHash(content: ItemContent): string {
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}
