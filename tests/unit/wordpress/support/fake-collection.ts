/**
 * A small stand-in for a WordPress collection route: paging with `page`,
 * `per_page`, `offset` and `include`, totals headers, and the 400 core
 * answers past the last page of a post type. Faults are switched on per
 * test.
 */
import type {
  Reply,
  SeenRequest,
} from '../../../unit/http/support/replay-server.js';
import { PAGE_PAST_LAST_400, SINGLE_POST_500 } from './cases.js';

/** Behaviour of the fake collection. */
export interface FakeCollectionOptions {
  /** Item ids, in id order. */
  ids: number[];
  /** Answer `[]` past the end (terms) instead of the 400 (post types). */
  terms?: boolean;
  /** Largest per_page accepted; above it the site answers 400. */
  maxPerPage?: number;
  /** What the per_page rejection says about the bound. */
  perPageReason?: string;
  /** Ids whose rendering fatals (500) unless only `_fields=id` is asked. */
  failingIds?: number[];
  /** Fail the `_fields=id` listing too. */
  failIdListing?: boolean;
  /** Leave out the X-WP-Total headers. */
  noTotals?: boolean;
}

const JSON_HEADERS = { 'Content-Type': 'application/json; charset=UTF-8' };

/** Answers one request as the collection would. */
export function answerCollection(
  request: SeenRequest,
  options: FakeCollectionOptions,
): Reply {
  const query = new URL(request.target, 'http://x').searchParams;
  const perPage = Number(query.get('per_page') ?? '10');
  const max = options.maxPerPage ?? 100;
  if (perPage > max || perPage < 1) {
    const reason =
      options.perPageReason ??
      `per_page must be between 1 (inclusive) and ${max} (inclusive)`;
    return {
      status: 400,
      headers: JSON_HEADERS,
      body: JSON.stringify({
        code: 'rest_invalid_param',
        message: 'Invalid parameter(s): per_page',
        data: { status: 400, params: { per_page: reason } },
      }),
    };
  }
  const include = query.get('include');
  const pool = include
    ? options.ids.filter((id) => include.split(',').includes(String(id)))
    : options.ids;
  const page = Number(query.get('page') ?? '1');
  const offset = query.has('offset')
    ? Number(query.get('offset'))
    : (page - 1) * perPage;
  const totalPages = Math.ceil(pool.length / perPage);
  if (
    !options.terms &&
    !query.has('offset') &&
    page > totalPages &&
    pool.length > 0
  ) {
    return rawCase(PAGE_PAST_LAST_400);
  }
  const slice = pool.slice(offset, offset + perPage);
  const idsOnly = query.get('_fields') === 'id';
  const failing = options.failingIds ?? [];
  const renders = idsOnly && !options.failIdListing;
  if (!renders && slice.some((id) => failing.includes(id))) {
    return rawCase(SINGLE_POST_500);
  }
  if (idsOnly && options.failIdListing && failing.length > 0) {
    return rawCase(SINGLE_POST_500);
  }
  const items = slice.map((id) =>
    idsOnly ? { id } : { id, title: { rendered: `Item ${id}` } },
  );
  const headers: Record<string, string> = { ...JSON_HEADERS };
  if (!options.noTotals) {
    headers['X-WP-Total'] = String(pool.length);
    headers['X-WP-TotalPages'] = String(totalPages);
  }
  return { status: 200, headers, body: JSON.stringify(items) };
}

/** A case message as a reply with its status, headers and body. */
export function rawCase(message: string): Reply {
  const split = message.indexOf('\n\n');
  const [statusLine = '', ...lines] = message.slice(0, split).split('\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon)] = line.slice(colon + 1).trim();
  }
  return {
    status: Number(statusLine.split(' ')[1]),
    reason: statusLine.split(' ').slice(2).join(' '),
    headers,
    body: message.slice(split + 2),
  };
}

/** `1..count` */
export function range(count: number, first = 1): number[] {
  return Array.from({ length: count }, (_, index) => first + index);
}
