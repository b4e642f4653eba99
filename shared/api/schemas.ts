/**
 * The shapes the API accepts, shared by the routes: ids, path parameters
 * and the not-found answers they lead to.
 */
import { z } from 'zod';
import { WpSyncError } from '../errors.js';

/** A site id as `siteIdFor` makes them. */
export const siteIdSchema = z.string().regex(/^site_[a-f0-9]{24}$/, {
  message: 'not a site id',
});

/** A sync id as `startSync` makes them. */
export const syncIdSchema = z.string().regex(/^sync_[a-f0-9]{32}$/, {
  message: 'not a sync id',
});

/** `{siteId}` in a path. */
export const sitePathSchema = z.strictObject({ siteId: siteIdSchema });

/** `{syncId}` in a path. */
export const syncPathSchema = z.strictObject({ syncId: syncIdSchema });

/** Routes that take no query parameters. */
export const noQuerySchema = z.strictObject({});

/** A WordPress user name and one of its application passwords. */
export const credentialsFields = {
  username: z.string().min(1).max(256),
  appPassword: z.string().min(1).max(256),
};

/**
 * The one answer for a site the caller may not see: malformed, unknown and
 * another tenant's ids all get it, so it says nothing about which exist.
 */
export function siteNotFound(): WpSyncError {
  return new WpSyncError('SITE_NOT_FOUND', 'No such site');
}

/** The one answer for a sync the caller may not see; see `siteNotFound`. */
export function syncNotFound(): WpSyncError {
  return new WpSyncError('SYNC_NOT_FOUND', 'No such sync');
}
