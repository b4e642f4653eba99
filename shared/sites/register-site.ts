import type { Log } from '../observability/telemetry.js';
import { type SecretStore, siteSecretRef } from '../secrets/secret-store.js';
import {
  checkCredentials,
  discoverSite,
  type WpClientDeps,
} from '../wordpress/client.js';
import { type SiteRecord, type SiteStore, siteIdFor } from './site-store.js';

/** What a tenant gives to register a site. */
export interface SiteRegistration {
  readonly tenantId: string;
  readonly url: string;
  readonly username: string;
  readonly appPassword: string;
}

/**
 * Registers a tenant's WordPress site after checking that its REST API is
 * reachable and the credentials can read drafts (`context=edit`).
 *
 * The same normalised URL gives the same `siteId` again; registering again
 * replaces the stored username and password.
 *
 * @throws {WordPressError} when the site or the credentials fail a check.
 */
export async function registerSite(
  registration: SiteRegistration,
  deps: {
    sites: SiteStore;
    secrets: SecretStore;
    /** Prefix of secret names, e.g. `wp-sync/prod`. */
    secretPrefix: string;
    log: Log;
    wordpress?: WpClientDeps;
    now?: () => Date;
  },
): Promise<{ site: SiteRecord; created: boolean }> {
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const discovered = await discoverSite(registration.url, deps.wordpress);
  const connection = {
    restRoot: discovered.restRoot,
    restMode: discovered.restMode,
    username: registration.username,
    appPassword: registration.appPassword,
  };
  const user = await checkCredentials(connection, deps.wordpress);
  const siteId = siteIdFor(registration.tenantId, discovered.siteUrl);
  const existing = await deps.sites.get(registration.tenantId, siteId);
  const secretRef = siteSecretRef(
    deps.secretPrefix,
    registration.tenantId,
    siteId,
  );
  await deps.secrets.put(secretRef, registration.appPassword);
  const site: SiteRecord = {
    tenantId: registration.tenantId,
    siteId,
    url: discovered.siteUrl,
    restRoot: discovered.restRoot,
    restMode: discovered.restMode,
    username: registration.username,
    secretRef,
    name: discovered.name,
    gmtOffset: discovered.gmtOffset,
    timezoneString: discovered.timezoneString,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  };
  await deps.sites.put(site);
  deps.log.info('Site registered', {
    siteId,
    url: site.url,
    restMode: site.restMode,
    wpUserId: user.userId,
    created: !existing,
  });
  return { site, created: !existing };
}

/** A site as the API shows it: no secret, no secret reference. */
export function publicSite(site: SiteRecord): Record<string, unknown> {
  return {
    siteId: site.siteId,
    url: site.url,
    name: site.name,
    username: site.username,
    restRoot: site.restRoot,
    restMode: site.restMode,
    createdAt: site.createdAt,
    updatedAt: site.updatedAt,
  };
}
