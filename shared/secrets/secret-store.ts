/**
 * Where WordPress application passwords live: never in a table item, a
 * log or a report, only behind this interface.
 */
export interface SecretStore {
  /** Stores or replaces the secret under a reference. */
  put(ref: string, value: string): Promise<void>;
  /**
   * The secret under a reference.
   *
   * @throws {WpSyncError} `SECRET_NOT_FOUND` when nothing is stored there.
   */
  get(ref: string): Promise<string>;
  /** Removes a secret; removing a missing one is not an error. */
  delete(ref: string): Promise<void>;
}

/**
 * The reference of a site's application password. The prefix carries the
 * stage, so environments sharing an account never share secrets.
 */
export function siteSecretRef(
  prefix: string,
  tenantId: string,
  siteId: string,
): string {
  return `${prefix}/${tenantId}/${siteId}/app-password`;
}
