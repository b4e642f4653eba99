/**
 * Turns one item of a WordPress REST collection into the CMS record.
 *
 * WordPress answers vary by version, plugins and context, so every field is
 * read leniently and normalised: what a record holds never depends on which
 * of WordPress's equivalent spellings a site happened to send.
 */
import { z } from 'zod';
import { ValidationError } from '../errors.js';
import type { Resource } from '../sync/model.js';
import {
  decodeEntities,
  deriveGmt,
  htmlToPlainText,
  normalizeAcf,
  normalizeMediaDetails,
  parseWpDate,
} from '../wordpress/normalize.js';
import {
  type ItemContent,
  type ItemRef,
  type ItemType,
  localIdFor,
  RESOURCE_ITEM_TYPE,
  refTo,
} from './item.js';

/** What the mapper knows of the site beyond the item itself. */
export interface SiteContext {
  readonly siteId: string;
  /** Hours east of UTC, from the REST index; used when GMT is missing. */
  readonly gmtOffset: number;
}

const rendered = z
  .object({
    rendered: z.string().optional(),
    raw: z.string().optional(),
  })
  .loose();

const positiveId = z.number().int().positive();

const rawItemSchema = z
  .object({
    id: positiveId,
    slug: z.string().catch(''),
    status: z.string().optional().catch(undefined),
    link: z.string().catch(''),
    name: z.string().optional().catch(undefined),
    description: z.unknown().optional(),
    parent: z.number().int().nonnegative().optional().catch(undefined),
    count: z.number().int().nonnegative().optional().catch(undefined),
    title: rendered.optional().catch(undefined),
    excerpt: rendered.optional().catch(undefined),
    content: rendered.optional().catch(undefined),
    caption: rendered.optional().catch(undefined),
    date: z.unknown().optional(),
    date_gmt: z.unknown().optional(),
    modified: z.unknown().optional(),
    modified_gmt: z.unknown().optional(),
    author: z.number().int().nonnegative().optional().catch(undefined),
    featured_media: z.number().int().nonnegative().optional().catch(undefined),
    menu_order: z.number().int().optional().catch(undefined),
    categories: z.array(positiveId).optional().catch(undefined),
    tags: z.array(positiveId).optional().catch(undefined),
    acf: z.unknown().optional(),
    media_type: z.string().optional().catch(undefined),
    mime_type: z.string().optional().catch(undefined),
    source_url: z.string().optional().catch(undefined),
    alt_text: z.string().optional().catch(undefined),
    media_details: z.unknown().optional(),
  })
  .loose();

type RawItem = z.infer<typeof rawItemSchema>;

/**
 * Maps a raw WordPress item to its CMS content.
 *
 * @throws {ValidationError} when the item has no usable `id`; everything
 *   else has a lenient reading.
 */
export function mapItem(
  resource: Resource,
  raw: unknown,
  site: SiteContext,
): ItemContent {
  const parsed = rawItemSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ValidationError(
      `A ${resource} item has no numeric id`,
      parsed.error.issues.map((issue) => ({
        path: issue.path.join('.'),
        message: issue.message,
      })),
    );
  }
  const item = parsed.data;
  const type = RESOURCE_ITEM_TYPE[resource];
  const base = {
    type,
    wpId: item.id,
    localId: localIdFor(site.siteId, type, item.id),
    slug: item.slug,
    link: item.link,
    acf: normalizeAcf(item.acf),
  };
  if (type === 'category' || type === 'tag') {
    return mapTerm(item, base, site);
  }
  return mapPostLike(item, base, site);
}

type Base = Pick<
  ItemContent,
  'type' | 'wpId' | 'localId' | 'slug' | 'link' | 'acf'
>;

function mapTerm(item: RawItem, base: Base, site: SiteContext): ItemContent {
  // Term names arrive HTML-escaped (`Food &amp; Drink`).
  const name = item.name ?? '';
  const description =
    typeof item.description === 'string' ? item.description : '';
  return {
    ...base,
    title: { html: name, text: decodeEntities(name) },
    content: { html: description },
    ...(item.parent && {
      parent: refTo(site.siteId, base.type, item.parent),
    }),
    ...(item.count !== undefined && { termCount: item.count }),
  };
}

function mapPostLike(
  item: RawItem,
  base: Base,
  site: SiteContext,
): ItemContent {
  const modified = modifiedTime(item, site);
  const dateGmt =
    parseWpDate(item.date_gmt) ?? localAsGmt(item.date, site.gmtOffset);
  const excerpt = item.excerpt ?? item.caption;
  const description =
    base.type === 'media' ? renderedOf(item.description) : undefined;
  const contentHtml = item.content?.rendered ?? description;
  return {
    ...base,
    ...(item.status !== undefined && { status: item.status }),
    title: renderedText(item.title),
    ...(excerpt && { excerpt: renderedText(excerpt) }),
    ...(contentHtml !== undefined && { content: { html: contentHtml } }),
    ...(dateGmt && { dateGmt }),
    ...modified,
    ...(item.author && { author: item.author }),
    ...(item.parent &&
      base.type === 'page' && {
        parent: refTo(site.siteId, 'page', item.parent),
      }),
    ...(item.featured_media && {
      featuredMedia: refTo(site.siteId, 'media', item.featured_media),
    }),
    ...(item.categories && {
      categories: refsTo(site.siteId, 'category', item.categories),
    }),
    ...(item.tags && { tags: refsTo(site.siteId, 'tag', item.tags) }),
    ...(item.menu_order !== undefined &&
      base.type === 'page' && { menuOrder: item.menu_order }),
    ...(base.type === 'media' && {
      media: {
        mediaType: item.media_type ?? 'file',
        mimeType: item.mime_type ?? 'application/octet-stream',
        sourceUrl: item.source_url ?? '',
        altText: item.alt_text ?? '',
        details: normalizeMediaDetails(item.media_details),
      },
    }),
  };
}

/**
 * The last-modified time that orders versions of an item.
 *
 * WordPress's own GMT value wins; without one, the local time shifted by
 * the site's offset stands in and the record says it was derived.
 */
function modifiedTime(
  item: RawItem,
  site: SiteContext,
): Pick<ItemContent, 'modifiedGmt' | 'modifiedGmtSource'> {
  const gmt = parseWpDate(item.modified_gmt);
  if (gmt) {
    return { modifiedGmt: gmt, modifiedGmtSource: 'wordpress' };
  }
  const derived = localAsGmt(item.modified, site.gmtOffset);
  return derived ? { modifiedGmt: derived, modifiedGmtSource: 'derived' } : {};
}

function localAsGmt(value: unknown, gmtOffset: number): string | undefined {
  return deriveGmt(value, gmtOffset);
}

function renderedOf(value: unknown): string | undefined {
  const parsed = rendered.safeParse(value);
  return parsed.success ? parsed.data.rendered : undefined;
}

function renderedText(
  value: z.infer<typeof rendered> | undefined,
): ItemContent['title'] {
  const html = value?.rendered ?? '';
  // In edit context `raw` is the title as typed, before wptexturize turns
  // quotes into entities; it is the better source for the plain text.
  // An automatic excerpt has an empty `raw`: then the rendered HTML is the
  // only source.
  const raw = value?.raw?.trim() ? value.raw : html;
  return { html, text: htmlToPlainText(raw) };
}

function refsTo(
  siteId: string,
  type: ItemType,
  wpIds: readonly number[],
): ItemRef[] {
  // WordPress lists a post's terms by name, so ties can swap between two
  // requests; as a set in id order, unchanged terms always compare equal.
  return [...new Set(wpIds)]
    .sort((a, b) => a - b)
    .map((wpId) => refTo(siteId, type, wpId));
}
