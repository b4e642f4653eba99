import { execFile } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { z } from 'zod';

/**
 * A real WordPress for end-to-end tests, run by the scripts in
 * `scripts/wordpress/`: one site per seed profile, `full` on port
 * `WP_E2E_PORT` (default 8089) and `small` on the next port, state under
 * `WP_E2E_STATE_DIR` (default `/var/tmp/wp-sync-e2e`).
 */

/** Which seeded site: `small` for quick tests and demos, `full` for scale. */
export type SeedProfile = 'small' | 'full';

/** How to reach a site: origin, admin user and its application password. */
export interface WordPressConnection {
  readonly url: string;
  readonly username: string;
  readonly appPassword: string;
}

/** Returned instead of a connection when this machine cannot host one. */
export interface WordPressSkipped {
  readonly skipped: string;
}

/** A REST collection the helpers can list in full. */
export type WordPressCollection =
  | 'posts'
  | 'pages'
  | 'media'
  | 'categories'
  | 'tags'
  | 'users';

/** One item as the REST API answers it, in `context=edit`. */
export type WordPressItem = { readonly id: number } & Readonly<
  Record<string, unknown>
>;

const run = promisify(execFile);
const scriptsDir = fileURLToPath(
  new URL('../../scripts/wordpress/', import.meta.url),
);
const stateDir = process.env.WP_E2E_STATE_DIR ?? '/var/tmp/wp-sync-e2e';
const ensured = new Map<SeedProfile, Promise<WordPressConnection>>();
/** More parallel requests gain nothing on two cores (measured). */
const LIST_CONCURRENCY = 4;

const connectionSchema = z.object({
  url: z.string().startsWith('http://127.0.0.1:'),
  username: z.string().min(1),
  appPassword: z.string().min(1),
});

const editSchema = z.object({
  round: z.number().int(),
  changed: z.array(
    z.object({
      type: z.enum(['post', 'page', 'category']),
      id: z.number().int(),
      field: z.string(),
      name: z.string().optional(),
      modifiedGmt: z.string().optional(),
    }),
  ),
});

/** What one run of `edit.php` changed. */
export type EditSummary = z.infer<typeof editSchema>;

const profileSchema = z.object({
  posts: z.number(),
  pages: z.number(),
  media: z.number(),
  categories: z.number(),
  tags: z.number(),
  users: z.number(),
  trashedPosts: z.number(),
});

/** The counts a profile promises, as the REST API lists them. */
export type SeedProfileCounts = z.infer<typeof profileSchema>;

/**
 * Installs (when needed), starts and seeds the WordPress site of a profile
 * and returns how to reach it. Safe to call from several test files at once:
 * the scripts take a lock, and calls in one process share one run.
 *
 * The first call on a fresh machine installs Debian packages and seeds:
 * allow about a minute for `small` and two for `full`.
 *
 * @returns the connection, or `{ skipped }` with the reason when the machine
 *   cannot host WordPress (not root, no apt-get)
 * @throws when the machine cannot host WordPress and `CI` is `true` (a skip
 *   must fail CI), or when a script fails (its stderr is in the message)
 * @example
 * const wp = await ensureWordPress({ profile: 'small' });
 * if ('skipped' in wp) return;
 * const posts = await listWordPressItems(wp, 'posts');
 */
export async function ensureWordPress(opts: {
  profile: SeedProfile;
}): Promise<WordPressConnection | WordPressSkipped> {
  const problem = await hostingProblem();
  if (problem !== undefined) {
    if (process.env.CI === 'true') {
      throw new Error(`CI cannot host the e2e WordPress: ${problem}`);
    }
    return { skipped: problem };
  }
  let pending = ensured.get(opts.profile);
  if (pending === undefined) {
    pending = ensureSite(opts.profile);
    ensured.set(opts.profile, pending);
    pending.catch(() => ensured.delete(opts.profile));
  }
  return pending;
}

/**
 * Runs `edit.php` on a seeded site: changes three posts, renames a category
 * and changes a page's ACF fields, moving modified dates as WordPress does.
 * The site stays changed: `resetWordPress` brings back the seeded state.
 */
export async function runWordPressEdit(
  profile: SeedProfile,
): Promise<EditSummary> {
  const stdout = await runScript('wp-php.sh', [profile, 'edit.php']);
  return editSchema.parse(JSON.parse(stdout));
}

/**
 * Drops the site of a profile and builds it again from scratch (a new
 * application password included), for tests that need the seeded state
 * after another test edited it.
 */
export async function resetWordPress(
  profile: SeedProfile,
): Promise<WordPressConnection> {
  ensured.delete(profile);
  await runScript('install.sh', [profile, '--fresh']);
  const pending = ensureSite(profile);
  ensured.set(profile, pending);
  return pending;
}

/** The counts `scripts/wordpress/profiles.json` promises for a profile. */
export async function seedProfileCounts(
  profile: SeedProfile,
): Promise<SeedProfileCounts> {
  const profiles: unknown = JSON.parse(
    await readFile(join(scriptsDir, 'profiles.json'), 'utf8'),
  );
  const counts = z.record(z.string(), profileSchema).parse(profiles)[profile];
  if (counts === undefined) {
    throw new Error(`profiles.json has no profile ${profile}`);
  }
  return counts;
}

/**
 * The seed's own summary of a site (counts by status, ids of the special
 * cases such as `danglingFeaturedPost` or `acfPage`), written by ensure.sh.
 */
export async function readSeedSummary(
  profile: SeedProfile,
): Promise<Record<string, unknown>> {
  const text = await readFile(join(stateDir, profile, 'seed.json'), 'utf8');
  return z.record(z.string(), z.unknown()).parse(JSON.parse(text));
}

/** The Basic `Authorization` header value for a connection. */
export function wordPressAuthorization(wp: WordPressConnection): string {
  const token = Buffer.from(`${wp.username}:${wp.appPassword}`).toString(
    'base64',
  );
  return `Basic ${token}`;
}

/**
 * Every item of a collection, the site's truth to compare a sync against:
 * `context=edit`, ids ascending, 100 a page, with the admin's application
 * password. Posts and pages use `status=any` (drafts, pending, private and
 * future; not trash); media lists `inherit`, its only status here. Pages
 * after the first are fetched four at a time, returned in order.
 */
export async function listWordPressItems(
  wp: WordPressConnection,
  collection: WordPressCollection,
): Promise<WordPressItem[]> {
  const first = await fetchItemsPage(wp, collection, 1);
  const pages: WordPressItem[][] = [first.items];
  for (let next = 2; next <= first.totalPages; next += LIST_CONCURRENCY) {
    const batch = [];
    for (let page = next; page < next + LIST_CONCURRENCY; page++) {
      if (page <= first.totalPages) {
        batch.push(fetchItemsPage(wp, collection, page));
      }
    }
    for (const answer of await Promise.all(batch)) {
      pages.push(answer.items);
    }
  }
  return pages.flat();
}

async function fetchItemsPage(
  wp: WordPressConnection,
  collection: WordPressCollection,
  page: number,
): Promise<{ items: WordPressItem[]; totalPages: number }> {
  const query = new URLSearchParams({
    context: 'edit',
    orderby: 'id',
    order: 'asc',
    per_page: '100',
    page: String(page),
  });
  if (collection === 'posts' || collection === 'pages') {
    query.set('status', 'any');
  }
  const response = await fetch(
    `${wp.url}/wp-json/wp/v2/${collection}?${query}`,
    { headers: { authorization: wordPressAuthorization(wp) } },
  );
  if (!response.ok) {
    throw new Error(
      `GET ${collection} page ${page}: HTTP ${response.status} ${await response.text()}`,
    );
  }
  return {
    items: (await response.json()) as WordPressItem[],
    totalPages: Number(response.headers.get('x-wp-totalpages') ?? '1'),
  };
}

async function hostingProblem(): Promise<string | undefined> {
  if (process.platform !== 'linux') {
    return `WordPress runs from Debian packages; this is ${process.platform}`;
  }
  if (process.getuid?.() !== 0) {
    return 'installing WordPress needs root';
  }
  try {
    await access('/usr/bin/apt-get');
  } catch {
    return 'installing WordPress needs apt-get (Debian)';
  }
  return undefined;
}

async function ensureSite(profile: SeedProfile): Promise<WordPressConnection> {
  const stdout = await runScript('ensure.sh', [profile]);
  const path = stdout.trim().split('\n').at(-1) ?? '';
  return connectionSchema.parse(JSON.parse(await readFile(path, 'utf8')));
}

/** Runs a script of `scripts/wordpress/`; its stderr never holds secrets. */
async function runScript(script: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run('bash', [join(scriptsDir, script), ...args], {
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(
      `scripts/wordpress/${script} ${args.join(' ')} failed:\n${stderr.slice(-4000)}`,
      { cause: error },
    );
  }
}
