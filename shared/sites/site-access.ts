import { WpSyncError } from '../errors.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { WpConnection } from '../wordpress/client.js';
import type { SiteRecord, SiteStore } from './site-store.js';

/** A site with the connection a worker needs to read it. */
export interface SiteAccess {
  readonly site: SiteRecord;
  readonly connection: WpConnection;
}

/**
 * Loads a tenant's site and its credentials, caching them for a short while
 * so the pages of one sync do not read the secret once each.
 */
export class SiteAccessLoader {
  private readonly cache = new Map<
    string,
    { value: SiteAccess; until: number }
  >();

  constructor(
    private readonly sites: SiteStore,
    private readonly secrets: SecretStore,
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * @throws {WpSyncError} `SITE_NOT_FOUND` when the tenant has no such site.
   */
  async load(tenantId: string, siteId: string): Promise<SiteAccess> {
    const key = `${tenantId}#${siteId}`;
    const cached = this.cache.get(key);
    if (cached && cached.until > this.now()) {
      return cached.value;
    }
    const site = await this.sites.get(tenantId, siteId);
    if (!site) {
      throw new WpSyncError('SITE_NOT_FOUND', `Site ${siteId} is not known`);
    }
    const value: SiteAccess = {
      site,
      connection: {
        restRoot: site.restRoot,
        restMode: site.restMode,
        username: site.username,
        appPassword: await this.secrets.get(site.secretRef),
      },
    };
    this.cache.set(key, { value, until: this.now() + this.ttlMs });
    return value;
  }

  /** Forgets a site, e.g. after its credentials changed. */
  forget(tenantId: string, siteId: string): void {
    this.cache.delete(`${tenantId}#${siteId}`);
  }
}
