/**
 * Saving a page that fails because one of its items cannot be rendered.
 *
 * A shortcode or block that fatals takes down every page that contains its
 * post, again and again. Asking for the same items in smaller groups finds
 * the ones that fail; every other item is still copied, and the failures
 * are reported by id so the site owner can fix them.
 */
import { WordPressError } from '../errors.js';
import {
  clampPerPage,
  collectionParams,
  fetchItemsByIds,
  fetchPage,
  fetchRange,
  type WpItem,
  type WpPage,
} from './collection.js';
import { getJson, runtimeOf } from './transport.js';
import type {
  WpClientDeps,
  WpConnection,
  WpResource,
  WpWarning,
} from './types.js';
import { routeUrl } from './urls.js';

/** An item that failed to render on every try. */
export interface WpItemFailure {
  /** Its id, when the site could list ids without rendering the items. */
  id?: number;
  /** Its index in the whole collection (offset), from 0. */
  position: number;
  /** Always `WP_ITEM_RENDER_FAILED`. */
  code: 'WP_ITEM_RENDER_FAILED';
  /** What failed and what WordPress said on the last try. */
  message: string;
}

/** A page, with the items that could not be fetched named. */
export interface WpIsolatedPage extends WpPage {
  failures: WpItemFailure[];
}

/** A group of items asked for together. */
type Window =
  | { kind: 'ids'; ids: number[]; position: number }
  | { kind: 'range'; offset: number; count: number };

/**
 * Fetches a page like `fetchPage`; when the page keeps answering 500,
 * re-requests its items in halves down to single items and returns those
 * that work, with a `WP_ITEM_RENDER_FAILED` warning and a failure entry
 * per item that does not.
 *
 * The ids of the page are listed first with `_fields=id`, which WordPress
 * answers without rendering content, so the halves are asked for by id and
 * failures are named by id. If even that listing fails, the halves are
 * asked for by `offset` and failures are named by position.
 *
 * @throws WordPressError for faults other than a 500 (a 503 or 429 means
 *   the site is unwell, not an item), as `fetchPage` does.
 */
export async function fetchPageIsolatingFailures(
  conn: WpConnection,
  resource: WpResource,
  page: number,
  deps?: WpClientDeps,
  opts: { perPage?: number } = {},
): Promise<WpIsolatedPage> {
  let failedAttempts: number;
  try {
    return {
      ...(await fetchPage(conn, resource, page, deps, opts)),
      failures: [],
    };
  } catch (error) {
    if (!isRenderFailure(error)) throw error;
    failedAttempts = attemptsOf(error);
    deps?.logger?.warn('Page fails on the server; isolating its items', {
      resource,
      page,
    });
  }
  const rt = runtimeOf(deps);
  const perPage = clampPerPage(opts.perPage ?? rt.config.perPage);
  const start = (page - 1) * perPage;
  const state = new Isolation(conn, resource, deps);
  state.add({ requestMs: 0, bytes: 0, attempts: failedAttempts });

  const listing = await listIds(conn, resource, page, perPage, deps);
  state.add(listing.cost);
  const whole: Window = listing.ids
    ? { kind: 'ids', ids: listing.ids, position: start }
    : { kind: 'range', offset: start, count: perPage };
  for (const half of split(whole) ?? [whole]) {
    await state.isolate(half);
  }

  const items = state.items.sort((a, b) => a.id - b.id);
  const seen = listing.ids?.length ?? items.length + state.failures.length;
  return {
    items,
    totalItems: listing.totalItems,
    totalPages: listing.totalPages,
    warnings: [...listing.warnings, ...state.warnings],
    end:
      seen < perPage &&
      !(listing.totalPages !== undefined && page < listing.totalPages),
    perPage,
    requestMs: state.cost.requestMs,
    bytes: state.cost.bytes,
    attempts: state.cost.attempts,
    failures: state.failures,
  };
}

/** Whether an error is the 500 of an item that fails to render. */
export function isRenderFailure(error: unknown): error is WordPressError {
  return (
    error instanceof WordPressError &&
    error.code === 'WP_UNAVAILABLE' &&
    error.status === 500
  );
}

class Isolation {
  readonly items: WpItem[] = [];
  readonly failures: WpItemFailure[] = [];
  readonly warnings: WpWarning[] = [];
  readonly cost = { requestMs: 0, bytes: 0, attempts: 0 };

  constructor(
    private readonly conn: WpConnection,
    private readonly resource: WpResource,
    private readonly deps: WpClientDeps | undefined,
  ) {}

  add(cost: { requestMs: number; bytes: number; attempts: number }): void {
    this.cost.requestMs += cost.requestMs;
    this.cost.bytes += cost.bytes;
    this.cost.attempts += cost.attempts;
  }

  async isolate(window: Window): Promise<void> {
    try {
      const result = await this.fetch(window);
      this.items.push(...result.items);
      this.warnings.push(...result.warnings);
      this.add(result);
      return;
    } catch (error) {
      if (!isRenderFailure(error)) throw error;
      this.add({ requestMs: 0, bytes: 0, attempts: attemptsOf(error) });
      const halves = split(window);
      if (halves) {
        for (const half of halves) await this.isolate(half);
      } else {
        this.fail(window, error);
      }
    }
  }

  private fetch(window: Window) {
    if (window.kind === 'ids') {
      return fetchItemsByIds(this.conn, this.resource, window.ids, this.deps);
    }
    return fetchRange(
      this.conn,
      this.resource,
      window.offset,
      window.count,
      this.deps,
    );
  }

  private fail(window: Window, error: WordPressError): void {
    const id = window.kind === 'ids' ? window.ids[0] : undefined;
    const position = window.kind === 'ids' ? window.position : window.offset;
    const name = id === undefined ? `at position ${position}` : `${id}`;
    const message =
      `Item ${name} of ${this.resource} fails on the server every time ` +
      '(500): a shortcode, block or plugin fatals while rendering it. It ' +
      'was not copied; the PHP error log of the site names the cause. ' +
      `WordPress said: ${error.message}`;
    this.failures.push({
      id,
      position,
      code: 'WP_ITEM_RENDER_FAILED',
      message,
    });
    this.warnings.push({ code: 'WP_ITEM_RENDER_FAILED', message });
  }
}

function split(window: Window): [Window, Window] | undefined {
  if (window.kind === 'ids') {
    if (window.ids.length < 2) return undefined;
    const middle = Math.ceil(window.ids.length / 2);
    return [
      {
        kind: 'ids',
        ids: window.ids.slice(0, middle),
        position: window.position,
      },
      {
        kind: 'ids',
        ids: window.ids.slice(middle),
        position: window.position + middle,
      },
    ];
  }
  if (window.count < 2) return undefined;
  const middle = Math.ceil(window.count / 2);
  return [
    { kind: 'range', offset: window.offset, count: middle },
    {
      kind: 'range',
      offset: window.offset + middle,
      count: window.count - middle,
    },
  ];
}

function attemptsOf(error: WordPressError): number {
  const attempts = error.context.attempts;
  return typeof attempts === 'number' ? attempts : 1;
}

/** Lists the ids of a page without rendering its items. */
async function listIds(
  conn: WpConnection,
  resource: WpResource,
  page: number,
  perPage: number,
  deps: WpClientDeps | undefined,
) {
  const rt = runtimeOf(deps);
  const url = routeUrl(conn, `wp/v2/${resource}`, {
    ...collectionParams(resource),
    page,
    per_page: perPage,
    _fields: 'id',
  });
  const outcome = await getJson(url, 'list', rt, { auth: conn });
  const cost = outcome;
  if (!outcome.ok) {
    if (outcome.wpError?.code === 'rest_post_invalid_page_number') {
      // The collection shrank below this page while we retried it.
      return { cost, ids: [] as number[], warnings: outcome.warnings };
    }
    if (!isRenderFailure(outcome.error)) throw outcome.error;
    return { cost, warnings: [] as WpWarning[] };
  }
  const body = outcome.body as Record<string, unknown>[];
  const ids = body
    .map((item) => item.id)
    .filter((id): id is number => Number.isInteger(id));
  return {
    cost,
    ids,
    warnings: outcome.warnings,
    totalItems: wholeNumber(outcome.headers['x-wp-total']),
    totalPages: wholeNumber(outcome.headers['x-wp-totalpages']),
  };
}

function wholeNumber(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value.trim())
    ? Number(value)
    : undefined;
}
