/**
 * The construct id of a resource named in `shared/` (`syncs` → `Syncs`,
 * `register-site` → `RegisterSite`). Logical ids derive from it, so
 * renaming an entry there replaces its resource.
 */
export function constructId(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
