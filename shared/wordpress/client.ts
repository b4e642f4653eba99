/**
 * The WordPress client: every read wp-sync makes of a WordPress site.
 *
 * Each call classifies what the site answered before using it, retries
 * transient faults with backoff, and turns the rest into a
 * `WordPressError` whose code says what the site owner can do.
 *
 * @example
 * const site = await discoverSite('https://example.test');
 * const conn = { ...site, username: 'sync', appPassword: 'xxxx xxxx' };
 * await checkCredentials(conn);
 * const page = await fetchPage(conn, 'posts', 1);
 */

export type {
  FetchPageOptions,
  RequestCost,
  WpItem,
  WpItemsById,
  WpPage,
} from './collection.js';
export {
  clampPerPage,
  collectionParams,
  fetchItemsByIds,
  fetchPage,
  fetchRange,
} from './collection.js';
export type { WordPressClientConfig } from './config.js';
export { DEFAULT_CONFIG, resolveConfig } from './config.js';
export type { WpUser } from './credentials.js';
export { checkCredentials } from './credentials.js';
export type { WpSiteInfo } from './discovery.js';
export { discoverSite } from './discovery.js';
export type { WpIsolatedPage, WpItemFailure } from './isolation.js';
export { fetchPageIsolatingFailures, isRenderFailure } from './isolation.js';
export type { BasicCredentials } from './transport.js';
export type {
  WpClientDeps,
  WpConnection,
  WpLogger,
  WpResource,
  WpWarning,
} from './types.js';
