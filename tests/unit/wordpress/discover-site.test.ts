import { afterEach, describe, expect, it } from 'vitest';
import { WordPressError } from '../../../shared/errors.js';
import { discoverSite, fetchPage } from '../../../shared/wordpress/client.js';
import {
  type Handler,
  type ReplayServer,
  type SeenRequest,
  startReplayServer,
} from '../http/support/replay-server.js';
import { PLAIN_PERMALINKS_404 } from './support/cases.js';
import { APP_PASSWORD, recordingDeps, USERNAME } from './support/deps.js';
import { answerCollection, rawCase } from './support/fake-collection.js';

const servers: ReplayServer[] = [];

async function serve(handler: Handler): Promise<ReplayServer> {
  const server = await startReplayServer(handler);
  servers.push(server);
  return server;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const INDEX = {
  name: 'Arts &amp; Crafts',
  gmt_offset: '5.5',
  timezone_string: 'Asia/Kolkata',
  namespaces: ['oembed/1.0', 'wp/v2'],
  routes: {},
};

const HOME = { status: 200, body: '<!DOCTYPE html><html><head></head></html>' };

function json(status: number, body: unknown) {
  return {
    status,
    headers: { 'Content-Type': 'application/json; charset=UTF-8' },
    body: JSON.stringify(body),
  };
}

function wpError(status: number, code: string, message: string) {
  return json(status, { code, message, data: { status } });
}

async function failure(work: Promise<unknown>): Promise<WordPressError> {
  const error = await work.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(WordPressError);
  return error as WordPressError;
}

function targets(server: ReplayServer): string[] {
  return server.requests.map((req: SeenRequest) => req.target);
}

describe('discoverSite', () => {
  it('follows the Link header of the home page', async () => {
    // Prepare
    const server = await serve((req) => {
      if (req.target === '/') {
        return {
          ...HOME,
          headers: {
            Link: `<http://127.0.0.1:${req.headers.host?.split(':')[1]}/wp-json/>; rel="https://api.w.org/"`,
          },
        };
      }
      return req.target === '/wp-json/'
        ? json(200, INDEX)
        : rawCase(PLAIN_PERMALINKS_404);
    });

    // Act
    const site = await discoverSite(server.origin, recordingDeps().deps);

    // Assess
    expect(site).toEqual({
      siteUrl: `${server.origin}/`,
      restRoot: `${server.origin}/wp-json/`,
      restMode: 'pretty',
      name: 'Arts & Crafts',
      gmtOffset: 5.5,
      timezoneString: 'Asia/Kolkata',
    });
    expect(targets(server)).toEqual(['/', '/wp-json/']);
  });

  it('reads the link element when the header was dropped', async () => {
    // Prepare: a cache kept the body but not the Link header.
    const server = await serve((req) => {
      if (req.target === '/') {
        return {
          status: 200,
          body: `<html><head><link rel='https://api.w.org/' href='/index.php?rest_route=/' /></head></html>`,
        };
      }
      return req.target === '/index.php?rest_route=/'
        ? json(200, INDEX)
        : rawCase(PLAIN_PERMALINKS_404);
    });

    // Act
    const site = await discoverSite(server.origin);

    // Assess
    expect(site.restRoot).toBe(`${server.origin}/index.php?rest_route=/`);
    expect(site.restMode).toBe('query');
  });

  describe('plain permalinks', () => {
    /** A site where only ?rest_route= works, and a second ? breaks it. */
    function plainPermalinkSite(
      notFound = rawCase(PLAIN_PERMALINKS_404),
    ): Handler {
      return (req) => {
        if (req.target === '/') return HOME;
        if (!req.target.startsWith('/?rest_route=')) return notFound;
        if (req.target.indexOf('?') !== req.target.lastIndexOf('?')) {
          return notFound;
        }
        const route = new URL(req.target, 'http://x').searchParams.get(
          'rest_route',
        );
        if (route === '/') return json(200, INDEX);
        if (route === '/wp/v2/posts')
          return answerCollection(req, { ids: [1, 2] });
        return wpError(404, 'rest_no_route', 'No route was found.');
      };
    }

    it('probes ?rest_route=/ after the HTML 404 of /wp-json/', async () => {
      // Prepare
      const server = await serve(plainPermalinkSite());

      // Act
      const site = await discoverSite(server.origin);

      // Assess
      expect(site.restRoot).toBe(`${server.origin}/?rest_route=/`);
      expect(site.restMode).toBe('query');
      expect(targets(server)).toEqual(['/', '/wp-json/', '/?rest_route=/']);
    });

    it('probes ?rest_route=/ after a bare server 404 too', async () => {
      // Prepare: the variant's 404 comes from the web server, as plain text.
      const server = await serve(
        plainPermalinkSite({
          status: 404,
          headers: { 'Content-Type': 'text/plain' },
          body: 'Not Found',
        }),
      );

      // Act
      const site = await discoverSite(server.origin);

      // Assess
      expect(site.restMode).toBe('query');
    });

    it('builds query-mode URLs with & and never a second ?', async () => {
      // Prepare
      const server = await serve(plainPermalinkSite());
      const site = await discoverSite(server.origin);
      const conn = { ...site, username: USERNAME, appPassword: APP_PASSWORD };

      // Act
      const page = await fetchPage(conn, 'posts', 1);

      // Assess
      expect(page.items.map((item) => item.id)).toEqual([1, 2]);
      const last = targets(server).at(-1) ?? '';
      expect(last).toMatch(/^\/\?rest_route=\/wp\/v2\/posts&/);
      expect(last.split('?')).toHaveLength(2);
    });
  });

  it('stops at a JSON rest_no_route: not a permalink problem', async () => {
    // Prepare
    const server = await serve((req) =>
      req.target === '/'
        ? HOME
        : wpError(404, 'rest_no_route', 'No route was found matching the URL.'),
    );

    // Act
    const error = await failure(discoverSite(server.origin));

    // Assess
    expect(error.code).toBe('WP_ROUTE_NOT_FOUND');
    expect(targets(server)).not.toContain('/?rest_route=/');
  });

  it('refuses a Link to another origin and names both URLs', async () => {
    // Prepare: another port on 127.0.0.1 is another origin.
    const elsewhere = await serve(() => json(200, INDEX));
    const server = await serve(() => ({
      ...HOME,
      headers: {
        Link: `<${elsewhere.origin}/wp-json/>; rel="https://api.w.org/"`,
      },
    }));

    // Act
    const error = await failure(discoverSite(server.origin));

    // Assess
    expect(error.code).toBe('WP_REST_ROOT_OFF_ORIGIN');
    expect(error.message).toContain(`${server.origin}/`);
    expect(error.message).toContain(`${elsewhere.origin}/wp-json/`);
    expect(elsewhere.requests).toHaveLength(0);
  });

  it('refuses a /wp-json/ that redirects to another origin', async () => {
    // Prepare
    const elsewhere = await serve(() => json(200, INDEX));
    const server = await serve((req) => {
      if (req.target === '/') return HOME;
      if (req.target === '/wp-json/') {
        return {
          status: 301,
          headers: { Location: `${elsewhere.origin}/wp-json/` },
        };
      }
      return rawCase(PLAIN_PERMALINKS_404);
    });

    // Act
    const error = await failure(discoverSite(server.origin));

    // Assess
    expect(error.code).toBe('WP_REST_ROOT_OFF_ORIGIN');
    expect(error.message).toContain(`${elsewhere.origin}/wp-json/`);
    expect(elsewhere.requests).toHaveLength(0);
  });

  describe('REST disabled for anonymous callers', () => {
    /** The rest_cannot_access plugin: anonymous callers are refused. */
    const anonymousRefused: Handler = (req) => {
      if (req.target === '/') return HOME;
      if (req.target !== '/wp-json/') return rawCase(PLAIN_PERMALINKS_404);
      return req.headers.authorization
        ? json(200, INDEX)
        : wpError(
            401,
            'rest_cannot_access',
            'Only authenticated users can access the REST API.',
          );
    };

    it('asks once more with the credentials', async () => {
      // Prepare
      const server = await serve(anonymousRefused);

      // Act
      const site = await discoverSite(server.origin, undefined, {
        username: USERNAME,
        appPassword: APP_PASSWORD,
      });

      // Assess
      expect(site.restRoot).toBe(`${server.origin}/wp-json/`);
      const probes = server.requests.filter(
        (req) => req.target === '/wp-json/',
      );
      expect(
        probes.map((req) => req.headers.authorization !== undefined),
      ).toEqual([false, true]);
    });

    it('fails with WP_REST_DISABLED and the plugin message, once', async () => {
      // Act
      const server = await serve(anonymousRefused);
      const error = await failure(discoverSite(server.origin));

      // Assess
      expect(error.code).toBe('WP_REST_DISABLED');
      expect(error.message).toContain(
        'Only authenticated users can access the REST API.',
      );
      expect(targets(server)).toEqual(['/', '/wp-json/']);
    });
  });

  it('normalises the site URL and probes under its path', async () => {
    // Prepare: WordPress installed in /blog.
    const server = await serve((req) =>
      req.target === '/blog/wp-json/'
        ? json(200, INDEX)
        : rawCase(PLAIN_PERMALINKS_404),
    );

    // Act
    const site = await discoverSite(`  ${server.origin}/blog?utm=x#top `);

    // Assess
    expect(site.siteUrl).toBe(`${server.origin}/blog/`);
    expect(site.restRoot).toBe(`${server.origin}/blog/wp-json/`);
  });

  it('reports every URL tried when no REST API answers', async () => {
    // Prepare
    const server = await serve(() => rawCase(PLAIN_PERMALINKS_404));

    // Act
    const error = await failure(discoverSite(server.origin));

    // Assess
    expect(error.code).toBe('WP_REST_NOT_FOUND');
    expect(error.message).toContain(`${server.origin}/wp-json/ (404)`);
    expect(error.message).toContain(`${server.origin}/?rest_route=/ (404)`);
  });

  it('refuses a REST index without wp/v2', async () => {
    // Prepare
    const server = await serve((req) =>
      req.target === '/wp-json/'
        ? json(200, { ...INDEX, namespaces: ['oembed/1.0'] })
        : HOME,
    );

    // Act
    const error = await failure(discoverSite(server.origin));

    // Assess
    expect(error.code).toBe('WP_ROUTE_NOT_FOUND');
  });

  it('refuses URLs that are not web addresses', async () => {
    // Act
    const error = await failure(discoverSite('ftp://127.0.0.1/'));

    // Assess
    expect(error.code).toBe('WP_URL_NOT_ALLOWED');
  });
});
