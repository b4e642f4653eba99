/**
 * The API's routes and the queue workers, each with the file of its
 * handler in `functions/`. The CDK stack and the local runtime both read
 * this list, so a route exists in both or in neither.
 */
import type { JobType } from './resources.js';

export interface RouteDefinition {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway's path syntax: `{name}` is a path parameter. */
  readonly path: string;
  /** File name in `functions/`, without extension. */
  readonly handler: string;
}

export const ROUTES = [
  { method: 'POST', path: '/api/wordpress/sites', handler: 'register-site' },
  { method: 'GET', path: '/api/wordpress/sites', handler: 'list-sites' },
  {
    method: 'GET',
    path: '/api/wordpress/sites/{siteId}',
    handler: 'get-site',
  },
  {
    method: 'PUT',
    path: '/api/wordpress/sites/{siteId}/credentials',
    handler: 'update-site-credentials',
  },
  {
    method: 'DELETE',
    path: '/api/wordpress/sites/{siteId}',
    handler: 'delete-site',
  },
  { method: 'POST', path: '/api/wordpress/sync-all', handler: 'start-sync' },
  {
    method: 'GET',
    path: '/api/wordpress/sync/{syncId}',
    handler: 'get-sync-report',
  },
  {
    method: 'POST',
    path: '/api/wordpress/sync/{syncId}/cancel',
    handler: 'cancel-sync',
  },
] as const satisfies readonly RouteDefinition[];

/** The worker handler of each job's queue. */
export const WORKERS = {
  terms: 'sync-terms-worker',
  media: 'sync-media-worker',
  pages: 'sync-pages-worker',
  posts: 'sync-posts-worker',
} as const satisfies Record<JobType, string>;
