/**
 * Pure helpers that turn WordPress's many spellings of one value into one.
 *
 * A copy must not change between two syncs of an unchanged site: every
 * helper here gives the same output for each of the forms WordPress (and
 * its plugins) use for the same thing.
 */
import { namedEntities } from './html-entities.js';

/**
 * What HTML makes of numeric references to the C1 range: the characters
 * of windows-1252 at those positions (`&#150;` is an en dash).
 */
const WINDOWS_1252: Readonly<Record<number, number>> = {
  128: 0x20ac,
  130: 0x201a,
  131: 0x0192,
  132: 0x201e,
  133: 0x2026,
  134: 0x2020,
  135: 0x2021,
  136: 0x02c6,
  137: 0x2030,
  138: 0x0160,
  139: 0x2039,
  140: 0x0152,
  142: 0x017d,
  145: 0x2018,
  146: 0x2019,
  147: 0x201c,
  148: 0x201d,
  149: 0x2022,
  150: 0x2013,
  151: 0x2014,
  152: 0x02dc,
  153: 0x2122,
  154: 0x0161,
  155: 0x203a,
  156: 0x0153,
  158: 0x017e,
  159: 0x0178,
};

const ENTITY =
  /&(?:#(\d{1,8});?|#[xX]([\da-fA-F]{1,7});?|([A-Za-z][A-Za-z\d]{0,31});)/g;

/**
 * Decodes HTML character references once: every named reference of HTML
 * (with its `;`) and decimal or hexadecimal ones. Unknown names stay as
 * written; `&amp;#038;` becomes `&#038;`, not `&`.
 *
 * @example
 * decodeEntities('Tom&#8217;s &#8220;Guide&#8221; &#038; more');
 * // 'Tom’s “Guide” & more'
 */
export function decodeEntities(html: string): string {
  const named = namedEntities();
  return html.replace(
    ENTITY,
    (whole, decimal?: string, hex?: string, name?: string) => {
      if (name !== undefined) return named.get(name) ?? whole;
      const point = Number.parseInt(decimal ?? hex ?? '', decimal ? 10 : 16);
      return String.fromCodePoint(codePointFor(point));
    },
  );
}

function codePointFor(point: number): number {
  const mapped = WINDOWS_1252[point];
  if (mapped !== undefined) return mapped;
  const surrogate = point >= 0xd800 && point <= 0xdfff;
  // HTML replaces these with U+FFFD rather than failing.
  if (point === 0 || surrogate || point > 0x10ffff) return 0xfffd;
  return point;
}

/**
 * The text a reader sees in an HTML fragment: scripts, styles and
 * comments removed, tags dropped (block boundaries become spaces),
 * references decoded, white space collapsed to single spaces.
 *
 * @example
 * htmlToPlainText('<p>Arts &amp; <b>Culture</b></p><p>Now</p>');
 * // 'Arts & Culture Now'
 */
export function htmlToPlainText(html: string): string {
  const withoutCode = html
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ');
  const withoutTags = withoutCode.replace(
    /<\/?([A-Za-z][A-Za-z\d-]*)\b[^>]*>/g,
    (_tag, name: string) => (INLINE_TAGS.has(name.toLowerCase()) ? '' : ' '),
  );
  // `\s` includes the no-break space that `&nbsp;` decodes to.
  return decodeEntities(withoutTags).replace(/\s+/g, ' ').trim();
}

/** Tags inside a line of text: dropping them must not split words. */
const INLINE_TAGS = new Set([
  'a',
  'abbr',
  'b',
  'bdi',
  'bdo',
  'cite',
  'code',
  'data',
  'dfn',
  'em',
  'i',
  'kbd',
  'mark',
  'q',
  's',
  'samp',
  'small',
  'span',
  'strong',
  'sub',
  'sup',
  'time',
  'u',
  'var',
  'del',
  'ins',
]);

const WP_DATE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses a WordPress date strictly into ISO 8601 UTC without
 * milliseconds. A value without a zone is read as UTC, as the `*_gmt`
 * fields are meant. `null`, `''`, zero dates (`0000-00-00…`) and anything
 * malformed are unknown: `undefined`, never the epoch.
 *
 * @example
 * parseWpDate('2024-03-01T08:20:00'); // '2024-03-01T08:20:00Z'
 * parseWpDate('0000-00-00T00:00:00'); // undefined
 */
export function parseWpDate(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = WP_DATE.exec(value.trim());
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s = '00', zone] = match;
  const fields = [y, mo, d, h, mi, s].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [year, month, day, hour, minute, second] = fields;
  if (year === 0 || month < 1 || month > 12 || day < 1) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(utc);
  // Rejects 31 February and the like instead of rolling over.
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) {
    return undefined;
  }
  return isoSeconds(utc - zoneOffsetMs(zone));
}

/**
 * The GMT time of a local WordPress date, for items whose `*_gmt` value
 * is unknown. `gmtOffsetHours` is the site's `gmt_offset` (fractional
 * offsets such as 5.5 work). The offset is today's: across a daylight
 * saving change the result can be an hour off, so callers should mark it
 * as derived.
 *
 * @example
 * deriveGmt('2024-03-01T09:20:00', 1); // '2024-03-01T08:20:00Z'
 */
export function deriveGmt(
  localValue: unknown,
  gmtOffsetHours: number,
): string | undefined {
  const local = parseWpDate(localValue);
  if (local === undefined || !Number.isFinite(gmtOffsetHours)) {
    return undefined;
  }
  const offsetMs = Math.round(gmtOffsetHours * 60) * 60_000;
  return isoSeconds(Date.parse(local) - offsetMs);
}

function zoneOffsetMs(zone: string | undefined): number {
  if (zone === undefined || zone === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2));
  return sign * (hours * 60 + minutes) * 60_000;
}

function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** ACF field types whose empty value is a list. */
const ACF_LIST_TYPES = new Set([
  'repeater',
  'relationship',
  'gallery',
  'flexible_content',
  'checkbox',
]);

/** ACF field types whose empty value is "no object". */
const ACF_OBJECT_TYPES = new Set([
  'image',
  'file',
  'link',
  'post_object',
  'page_link',
  'user',
  'taxonomy',
  'group',
]);

/** The value ACF's REST output is normalised to. */
export type AcfFields = Record<string, unknown>;

/**
 * Normalises an `acf` value so syncs of an unchanged post compare equal.
 *
 * The whole value: `[]`, `false`, `null`, `''` or missing become `{}`
 * (PHP encodes an empty array as `[]`, ACF sends `false` for no fields).
 *
 * Each field, when `fieldTypes` names its ACF type: for repeater,
 * relationship, gallery, flexible content and checkbox, `false`, `''` and
 * `null` become `[]`; for image, file, link, post object, page link, user,
 * taxonomy and group, `false` and `''` become `null`.
 *
 * Without a type the field's shape cannot be known: `false` is ACF's "no
 * value" marker for an image but a real answer of a true/false field, and
 * `''` a real empty text, so both are kept as sent (stable from one sync
 * to the next, and true to the site). The same rules apply inside groups
 * and repeater rows.
 *
 * @example
 * normalizeAcf({ featured: false, subtitle: '' });
 * // { featured: false, subtitle: '' }
 * normalizeAcf({ hero_image: false }, { hero_image: 'image' });
 * // { hero_image: null }
 * normalizeAcf({ gallery: false }, { gallery: 'gallery' }); // { gallery: [] }
 */
export function normalizeAcf(
  value: unknown,
  fieldTypes: Readonly<Record<string, string>> = {},
): AcfFields {
  const fields = asObject(value);
  const result: AcfFields = {};
  for (const [name, field] of Object.entries(fields)) {
    result[name] = normalizeAcfField(field, fieldTypes[name]);
  }
  return result;
}

function normalizeAcfField(value: unknown, type: string | undefined): unknown {
  const empty = value === false || value === '' || value === null;
  if (type !== undefined && ACF_LIST_TYPES.has(type) && empty) return [];
  if (type !== undefined && ACF_OBJECT_TYPES.has(type)) {
    if (value === false || value === '') return null;
  }
  if (Array.isArray(value)) {
    return value.map((entry) => normalizeNested(entry));
  }
  return normalizeNested(value);
}

function normalizeNested(value: unknown): unknown {
  return isPlainObject(value) ? normalizeAcf(value) : value;
}

/**
 * Normalises a `meta` value: `[]`, `false`, `null`, `''` or missing
 * become `{}`; an object is kept as it is.
 */
export function normalizeMeta(value: unknown): Record<string, unknown> {
  return asObject(value);
}

/** `media_details` with a `sizes` object that is always there. */
export type MediaDetails = Record<string, unknown> & {
  sizes: Record<string, Record<string, unknown>>;
};

/**
 * Normalises `media_details`, whose shape depends on the file type and the
 * WordPress version: `[]`, `null` and other non-objects become
 * `{ sizes: {} }`; `sizes` defaults to `{}` (and `[]` becomes `{}`), and
 * size entries that are not objects are dropped. Every other key (width,
 * `filesize`, `length`, …) is kept as sent, and none is assumed present.
 *
 * @example
 * normalizeMediaDetails([]); // { sizes: {} }
 * normalizeMediaDetails({ filesize: 10 }); // { filesize: 10, sizes: {} }
 */
export function normalizeMediaDetails(value: unknown): MediaDetails {
  const details = asObject(value);
  const sizes: Record<string, Record<string, unknown>> = {};
  for (const [name, size] of Object.entries(asObject(details.sizes))) {
    if (isPlainObject(size)) sizes[name] = size;
  }
  const result: MediaDetails = { ...details, sizes };
  if ('image_meta' in details) result.image_meta = asObject(details.image_meta);
  return result;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An object as it is; PHP's empty forms and scalars as `{}`. A non-empty
 * list (PHP's array with keys 0..n) keeps its entries under those keys.
 */
function asObject(value: unknown): Record<string, unknown> {
  if (isPlainObject(value)) return { ...value };
  if (Array.isArray(value)) {
    return Object.fromEntries(value.map((entry, index) => [index, entry]));
  }
  return {};
}
