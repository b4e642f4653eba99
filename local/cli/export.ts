/**
 * `npm run export -- --url <site>`: prints the stored items of a site as
 * JSON lines on stdout, one item per line.
 */
import type { StoredItem } from '../../shared/content/item.js';
import type { SiteRecord } from '../../shared/sites/site-store.js';
import { connectRuntime } from '../runtime/connect.js';
import { dataDir } from '../runtime/paths.js';
import { LOCAL_TENANT } from '../runtime/tokens.js';
import { EXIT, parseFlags, runCommand, UsageError } from './args.js';
import { serviceFor } from './local-service.js';

const USAGE = `usage: npm run export -- --url <site>

Prints every stored item of a site synced with \`npm run sync\`, one JSON
object per line: type, wpId, localId, slug, status, title (plain text),
titleHtml, modifiedGmt and the rest of the stored record.`;

runCommand(USAGE, async () => {
  const flags = parseFlags(process.argv.slice(2), {
    url: { type: 'string' },
  });
  if (!flags.url) {
    throw new UsageError('--url is required');
  }
  const runtime = await connectRuntime(dataDir());
  try {
    const service = serviceFor(runtime.info);
    const sites = await service.sites.list(LOCAL_TENANT);
    const site = findSite(sites, flags.url);
    if (!site) {
      process.stderr.write(
        `error: ${flags.url} has not been synced here; run npm run sync first\n`,
      );
      return EXIT.failed;
    }
    for await (const item of service.items.listSite(site.siteId)) {
      process.stdout.write(`${JSON.stringify(exportedItem(item))}\n`);
    }
    return EXIT.completed;
  } finally {
    await runtime.release();
  }
});

/** A tenant's site whose URL matches the given one, ignoring trivia. */
export function findSite(
  sites: readonly SiteRecord[],
  url: string,
): SiteRecord | undefined {
  const wanted = comparable(url);
  return sites.find((site) => comparable(site.url) === wanted);
}

function comparable(url: string): string {
  try {
    const parsed = new URL(/^[a-z]+:\/\//i.test(url) ? url : `https://${url}`);
    return `${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`.toLowerCase();
  } catch {
    return url.toLowerCase();
  }
}

/** The exported form of an item: the CMS record without write bookkeeping. */
export function exportedItem(item: StoredItem): Record<string, unknown> {
  const {
    siteId,
    itemKey,
    syncTask,
    title,
    status,
    type,
    wpId,
    localId,
    slug,
    ...rest
  } = item;
  return {
    type,
    wpId,
    localId,
    slug,
    status: status ?? null,
    title: title.text,
    titleHtml: title.html,
    modifiedGmt: item.modifiedGmt ?? null,
    ...rest,
    siteId,
  };
}
