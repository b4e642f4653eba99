/**
 * Reading the collections of a site page by page, and items by id.
 */
import { WordPressError } from '../errors.js';
import type { WpErrorBody } from './classify.js';
import {
  type GetOutcome,
  getJson,
  type Runtime,
  runtimeOf,
} from './transport.js';
import type {
  WpClientDeps,
  WpConnection,
  WpResource,
  WpWarning,
} from './types.js';
import { type QueryParams, routeUrl } from './urls.js';

/** A WordPress item as the REST API sent it; `id` is checked. */
export type WpItem = Record<string, unknown> & { id: number };

/** Options of `fetchPage`. */
export interface FetchPageOptions {
  /** Items per page, clamped to 1–100. @default config.perPage */
  perPage?: number;
}

/** Request cost of a call, summed over all its requests and attempts. */
export interface RequestCost {
  requestMs: number;
  bytes: number;
  attempts: number;
}

/** One page of a collection. */
export interface WpPage extends RequestCost {
  items: WpItem[];
  /** `X-WP-Total`, when the site sent a number. A hint only. */
  totalItems?: number;
  /** `X-WP-TotalPages`, when the site sent a number. A hint only. */
  totalPages?: number;
  warnings: WpWarning[];
  /** True when no page after this one holds items. */
  end: boolean;
  /** The window size: page N holds items (N-1)*perPage to N*perPage-1. */
  perPage: number;
}

/** Items fetched by id. */
export interface WpItemsById extends RequestCost {
  items: WpItem[];
  /** Ids asked for that the site did not return (deleted or hidden). */
  missingIds: number[];
  warnings: WpWarning[];
}

/**
 * Query parameters that make a copy complete and its paging stable:
 * edit context for raw fields, every status the sync user can read, and
 * id order, which is unique and puts new items at the end.
 */
export function collectionParams(resource: WpResource): QueryParams {
  const base = { context: 'edit', orderby: 'id', order: 'asc' };
  switch (resource) {
    case 'posts':
    case 'pages':
      // `any` is every status but trash and auto-draft.
      return { ...base, status: 'any' };
    case 'media':
      // Attachments reject `any`; theirs are inherit, private and trash.
      return { ...base, status: ['inherit', 'private'] };
    default:
      // Terms have no status.
      return base;
  }
}

/**
 * Fetches page `page` (from 1) of a collection.
 *
 * Past the last page, posts, pages and media answer 400
 * `rest_post_invalid_page_number` and terms answer `[]`: both give an
 * empty page with `end: true`. A site that rejects `per_page` has the
 * window read in pieces it accepts (`offset`), so page numbers keep their
 * meaning.
 *
 * @throws WordPressError for every other fault; `retryable` ones carry
 *   `retryAfterSeconds` so the caller can defer the page.
 * @example
 * let page = 1;
 * for (;;) {
 *   const result = await fetchPage(conn, 'posts', page, deps);
 *   store(result.items);
 *   if (result.end) break;
 *   page += 1;
 * }
 */
export async function fetchPage(
  conn: WpConnection,
  resource: WpResource,
  page: number,
  deps?: WpClientDeps,
  opts: FetchPageOptions = {},
): Promise<WpPage> {
  const rt = runtimeOf(deps);
  checkPage(page, rt.config.maxPages);
  const perPage = clampPerPage(opts.perPage ?? rt.config.perPage);
  const list = new ListReader(conn, resource, rt);

  let outcome = await list.get({ page, per_page: perPage });
  let pieced = false;
  if (!outcome.ok && rejectedParams(outcome.wpError).has('per_page')) {
    pieced = true;
    outcome = await list.getWindowInPieces(
      (page - 1) * perPage,
      perPage,
      acceptedBound(outcome.wpError, rt.config.fallbackPerPage, perPage),
    );
  }
  if (!outcome.ok) {
    if (outcome.wpError?.code === 'rest_post_invalid_page_number' && page > 1) {
      return {
        items: [],
        warnings: [...list.warnings, shrankWarning(resource, page)],
        end: true,
        perPage,
        ...list.cost,
      };
    }
    throw outcome.error;
  }
  const items = list.checkItems(outcome.body);
  const totals = readTotals(outcome.headers, list.warnings);
  if (pieced && totals.totalItems !== undefined) {
    // The site counted pages of the smaller piece size, not of ours.
    totals.totalPages = Math.ceil(totals.totalItems / perPage);
  }
  const short = items.length < perPage;
  const moreByTotals =
    totals.totalPages !== undefined && page < totals.totalPages;
  const moreByLink = /rel="?next"?/i.test(outcome.headers.link ?? '');
  if (short && (moreByTotals || moreByLink)) {
    list.warnings.push({
      code: 'WP_PAGE_SHORT',
      message:
        `Page ${page} of ${resource} held ${items.length} of ${perPage} ` +
        'items though more pages follow; some items may be hidden from ' +
        'the sync user.',
    });
  }
  return {
    items: warnDuplicates(items, list.warnings),
    ...totals,
    warnings: list.warnings,
    end: short && !moreByTotals && !moreByLink,
    perPage,
    ...list.cost,
  };
}

/**
 * Fetches the items with the given ids (`include=`), 100 at a time.
 *
 * @throws WordPressError as `fetchPage` does.
 */
export async function fetchItemsByIds(
  conn: WpConnection,
  resource: WpResource,
  ids: readonly number[],
  deps?: WpClientDeps,
): Promise<WpItemsById> {
  const rt = runtimeOf(deps);
  const wanted = [...new Set(ids)];
  for (const id of wanted) {
    if (!Number.isInteger(id) || id < 1) {
      throw new WordPressError(
        'WP_BAD_REQUEST',
        `Item ids must be positive whole numbers, not ${id}.`,
      );
    }
  }
  const list = new ListReader(conn, resource, rt);
  const items: WpItem[] = [];
  let size = rt.config.perPage;
  for (let start = 0; start < wanted.length; ) {
    const chunk = wanted.slice(start, start + size);
    const outcome = await list.get({ include: chunk, per_page: chunk.length });
    if (!outcome.ok) {
      if (rejectedParams(outcome.wpError).has('per_page') && size > 1) {
        const bound = acceptedBound(
          outcome.wpError,
          rt.config.fallbackPerPage,
          chunk.length,
        );
        list.warnings.push(perPageWarning(chunk.length, bound));
        size = bound;
        continue;
      }
      throw outcome.error;
    }
    items.push(...list.checkItems(outcome.body));
    start += chunk.length;
  }
  const found = new Set(items.map((item) => item.id));
  return {
    items: warnDuplicates(items, list.warnings),
    missingIds: wanted.filter((id) => !found.has(id)),
    warnings: list.warnings,
    ...list.cost,
  };
}

/**
 * Fetches `count` items (at most 100) from `offset` of a collection, in
 * the same order and with the same filters as `fetchPage`.
 *
 * @throws WordPressError as `fetchPage` does.
 */
export async function fetchRange(
  conn: WpConnection,
  resource: WpResource,
  offset: number,
  count: number,
  deps?: WpClientDeps,
): Promise<WpItemsById> {
  const rt = runtimeOf(deps);
  const list = new ListReader(conn, resource, rt);
  const outcome = await list.get({
    offset,
    per_page: clampPerPage(count),
  });
  if (!outcome.ok) throw outcome.error;
  return {
    items: warnDuplicates(list.checkItems(outcome.body), list.warnings),
    missingIds: [],
    warnings: list.warnings,
    ...list.cost,
  };
}

/** Clamps a per-page value to what WordPress core accepts. */
export function clampPerPage(value: number): number {
  if (!Number.isFinite(value)) return 100;
  return Math.min(100, Math.max(1, Math.trunc(value)));
}

/**
 * Sends list requests for one call and keeps their warnings and cost.
 * A site that rejects the `status` filter is asked again without it.
 */
class ListReader {
  readonly warnings: WpWarning[] = [];
  readonly cost: RequestCost = { requestMs: 0, bytes: 0, attempts: 0 };
  private withStatus = true;

  constructor(
    private readonly conn: WpConnection,
    private readonly resource: WpResource,
    private readonly rt: Runtime,
  ) {}

  async get(params: QueryParams): Promise<GetOutcome> {
    for (;;) {
      const query = { ...collectionParams(this.resource), ...params };
      if (!this.withStatus) query.status = undefined;
      const url = routeUrl(this.conn, `wp/v2/${this.resource}`, query);
      const outcome = await getJson(url, 'list', this.rt, {
        auth: this.conn,
      });
      this.warnings.push(...outcome.warnings);
      this.cost.requestMs += outcome.requestMs;
      this.cost.bytes += outcome.bytes;
      this.cost.attempts += outcome.attempts;
      // Only a filter the site does not know is dropped; one refused for
      // lack of rights is a login problem and stays an error.
      const statusRejected =
        !outcome.ok &&
        outcome.error.code === 'WP_BAD_REQUEST' &&
        this.withStatus &&
        query.status !== undefined &&
        rejectedParams(outcome.wpError).has('status');
      if (!statusRejected) return outcome;
      this.withStatus = false;
      this.warnings.push({
        code: 'WP_STATUS_REJECTED',
        message:
          `The site rejects the status filter on ${this.resource}; only ` +
          'the statuses it shows by default (usually published) are copied.',
      });
    }
  }

  /**
   * Reads `size` items from `offset` in requests of at most `bound` items,
   * for sites whose per-page maximum is below ours.
   */
  async getWindowInPieces(
    offset: number,
    size: number,
    bound: number,
  ): Promise<GetOutcome> {
    this.warnings.push(perPageWarning(size, bound));
    const items: unknown[] = [];
    let first: Record<string, string> | undefined;
    for (let done = 0; done < size; ) {
      const want = Math.min(bound, size - done);
      const piece = await this.get({ offset: offset + done, per_page: want });
      if (!piece.ok) return piece;
      // WordPress counts 0 in total for an offset past the end, so the
      // totals of the first piece are the ones to trust.
      first ??= piece.headers;
      const list = Array.isArray(piece.body) ? piece.body : [];
      items.push(...list);
      done += want;
      if (list.length < want || done >= size) {
        return { ...piece, headers: first, body: items };
      }
    }
    throw new Error('a window holds at least one item');
  }

  /**
   * A collection is a list of objects with positive integer ids. A list
   * with none is not a WordPress collection at all; a list where only some
   * items lack an id is passed on whole, so the rest of the page syncs and
   * each bad item is reported failed on its own.
   */
  checkItems(body: unknown): WpItem[] {
    const list = body as unknown[];
    const bad = list.filter(
      (item) =>
        typeof item !== 'object' ||
        item === null ||
        !Number.isInteger((item as { id?: unknown }).id) ||
        ((item as { id: number }).id ?? 0) < 1,
    ).length;
    if (bad > 0 && bad === list.length) {
      throw new WordPressError(
        'WP_BAD_RESPONSE',
        `No item of ${this.resource} has a numeric id; the response is ` +
          'not a WordPress collection.',
        { context: { resource: this.resource } },
      );
    }
    if (bad > 0) {
      this.warnings.push({
        code: 'WP_ITEM_WITHOUT_ID',
        message: `${bad} item(s) of ${this.resource} have no numeric id; each is reported as failed`,
      });
    }
    return list as WpItem[];
  }
}

function checkPage(page: number, maxPages: number): void {
  if (!Number.isInteger(page) || page < 1) {
    throw new WordPressError(
      'WP_BAD_REQUEST',
      `Page numbers start at 1; ${page} is not one.`,
    );
  }
  if (page > maxPages) {
    throw new WordPressError(
      'WP_BAD_REQUEST',
      `Page ${page} is past the cap of ${maxPages} pages; raise maxPages ` +
        'if the site really is this large.',
      { context: { page, maxPages } },
    );
  }
}

function rejectedParams(wpError: WpErrorBody | undefined): Set<string> {
  if (wpError?.code !== 'rest_invalid_param') return new Set();
  const params = wpError.data.params;
  return new Set(
    typeof params === 'object' && params !== null ? Object.keys(params) : [],
  );
}

/** The highest per_page a rejection names, or the fallback. */
function acceptedBound(
  wpError: WpErrorBody | undefined,
  fallback: number,
  rejected: number,
): number {
  const reason = String(wpError?.data.params?.per_page ?? '');
  const match =
    /and\s+(\d+)\s*(?:\(inclusive\))?\s*$/i.exec(reason) ??
    /(?:less than or equal to|at most|maximum(?: of)?|<=)\s*(\d+)/i.exec(
      reason,
    );
  const named = match ? Number(match[1]) : Number.NaN;
  const bound = named >= 1 && named < rejected ? named : fallback;
  return Math.max(1, Math.min(bound, rejected - 1));
}

function perPageWarning(rejected: number, bound: number): WpWarning {
  return {
    code: 'WP_PER_PAGE_REJECTED',
    message:
      `The site rejects per_page=${rejected}; reading ${bound} items per ` +
      'request instead (a filter lowered the maximum).',
  };
}

function shrankWarning(resource: WpResource, page: number): WpWarning {
  return {
    code: 'WP_COLLECTION_SHRANK',
    message:
      `Page ${page} of ${resource} no longer exists: items were deleted ` +
      'during the sync. A reconciliation pass should compare the ids.',
  };
}

function readTotals(
  headers: Record<string, string>,
  warnings: WpWarning[],
): { totalItems?: number; totalPages?: number } {
  const totalItems = wholeNumber(headers['x-wp-total']);
  const totalPages = wholeNumber(headers['x-wp-totalpages']);
  if (totalItems === undefined || totalPages === undefined) {
    warnings.push({
      code: 'WP_TOTALS_MISSING',
      message:
        'The site sent no usable X-WP-Total/X-WP-TotalPages (a proxy or ' +
        'cache may drop them); paging continues while pages are full.',
    });
  }
  return { totalItems, totalPages };
}

function wholeNumber(value: string | undefined): number | undefined {
  return value !== undefined && /^\s*\d+\s*$/.test(value)
    ? Number(value)
    : undefined;
}

/**
 * Reports ids that came back twice. Items are kept as sent: the store
 * dedupes by id, and a page's length must stay comparable to `perPage`.
 */
function warnDuplicates(items: WpItem[], warnings: WpWarning[]): WpItem[] {
  const unique = new Set(items.map((item) => item.id));
  if (unique.size < items.length) {
    warnings.push({
      code: 'WP_DUPLICATE_ITEMS',
      message:
        `${items.length - unique.size} item(s) came back twice; the order ` +
        'of the site is not stable.',
    });
  }
  return items;
}
