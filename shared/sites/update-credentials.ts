import { WpSyncError } from '../errors.js';
import type { Log } from '../observability/telemetry.js';
import type { SecretStore } from '../secrets/secret-store.js';
import { checkCredentials, type WpClientDeps } from '../wordpress/client.js';
import type { SiteAccessLoader } from './site-access.js';
import type { SiteRecord, SiteStore } from './site-store.js';

/** New credentials for a registered site. */
export interface CredentialsUpdate {
  readonly tenantId: string;
  readonly siteId: string;
  readonly username: string;
  readonly appPassword: string;
}

/**
 * Replaces a site's username and application password after WordPress
 * accepted them (`users/me` in edit context), so a typo never replaces
 * working credentials.
 *
 * @returns the updated site.
 * @throws {WpSyncError} `SITE_NOT_FOUND` for a site that is not the
 *   tenant's; the `WordPressError` of the credential check.
 */
export async function updateCredentials(
  update: CredentialsUpdate,
  deps: {
    sites: SiteStore;
    siteAccess: SiteAccessLoader;
    secrets: SecretStore;
    log: Log;
    wordpress?: WpClientDeps;
    now?: () => Date;
  },
): Promise<SiteRecord> {
  const site = await deps.sites.get(update.tenantId, update.siteId);
  if (!site) {
    throw new WpSyncError(
      'SITE_NOT_FOUND',
      `Site ${update.siteId} is not known`,
    );
  }
  const user = await checkCredentials(
    {
      restRoot: site.restRoot,
      restMode: site.restMode,
      username: update.username,
      appPassword: update.appPassword,
    },
    deps.wordpress,
  );
  await deps.secrets.put(site.secretRef, update.appPassword);
  const updated: SiteRecord = {
    ...site,
    username: update.username,
    updatedAt: (deps.now ?? (() => new Date()))().toISOString(),
  };
  await deps.sites.put(updated);
  // Workers of this instance must not keep using the old password.
  deps.siteAccess.forget(update.tenantId, update.siteId);
  deps.log.info('Site credentials updated', {
    siteId: site.siteId,
    wpUserId: user.userId,
  });
  return updated;
}
