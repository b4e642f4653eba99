/**
 * A small WordPress REST API stand-in on 127.0.0.1 for tests that need to
 * control what the site answers: its content, and faults such as
 * maintenance or throttling. The real WordPress of the end-to-end tests is
 * the reference; this one only answers what the sync asks.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeResource = 'categories' | 'tags' | 'media' | 'pages' | 'posts';

/** What the fake does with one request; `undefined` answers normally. */
export type FaultRule = (request: {
  resource?: FakeResource;
  path: string;
  page: number;
}) =>
  | { status: number; headers?: Record<string, string>; body: string }
  | 'reset'
  | undefined;

export interface FakeWordPress {
  readonly url: string;
  readonly username: string;
  readonly appPassword: string;
  /** The items served, by collection; tests may change them. */
  readonly content: Record<FakeResource, Record<string, unknown>[]>;
  /** Requests served so far, by path. */
  readonly requests: string[];
  setFault(rule: FaultRule | undefined): void;
  close(): Promise<void>;
}

/** Builds content: `counts` items per collection, dated from `modified`. */
export function fakeContent(
  counts: Partial<Record<FakeResource, number>>,
  modified = '2024-01-01T00:00:00',
): Record<FakeResource, Record<string, unknown>[]> {
  const make = (resource: FakeResource, count: number) =>
    Array.from({ length: count }, (_, index) => {
      const id = index + 1;
      if (resource === 'categories' || resource === 'tags') {
        return {
          id,
          name: `${resource} ${id}`,
          slug: `${resource}-${id}`,
          parent: 0,
          count: 0,
        };
      }
      return {
        id,
        slug: `${resource}-${id}`,
        status: resource === 'media' ? 'inherit' : 'publish',
        link: `http://example.test/${resource}/${id}/`,
        title: { rendered: `${resource} ${id}`, raw: `${resource} ${id}` },
        content: { rendered: `<p>Body of ${resource} ${id}</p>` },
        modified,
        modified_gmt: modified,
        date_gmt: modified,
        ...(resource === 'media' && {
          media_type: 'image',
          mime_type: 'image/png',
          source_url: `http://example.test/${id}.png`,
          media_details: {},
        }),
      };
    });
  return {
    categories: make('categories', counts.categories ?? 0),
    tags: make('tags', counts.tags ?? 0),
    media: make('media', counts.media ?? 0),
    pages: make('pages', counts.pages ?? 0),
    posts: make('posts', counts.posts ?? 0),
  };
}

/** Starts the fake on a free port of 127.0.0.1. */
export async function startFakeWordPress(
  content: Record<FakeResource, Record<string, unknown>[]>,
): Promise<FakeWordPress> {
  const username = 'editor';
  const appPassword = 'fake aaaa bbbb cccc dddd eeee';
  const expectedAuth = `Basic ${Buffer.from(`${username}:${appPassword}`).toString('base64')}`;
  const requests: string[] = [];
  let fault: FaultRule | undefined;
  let origin = '';

  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', origin);
    requests.push(`${url.pathname}${url.search}`);
    const route =
      url.searchParams.get('rest_route') ??
      url.pathname.replace(/^\/wp-json/, '');
    const match = /^\/wp\/v2\/(categories|tags|media|pages|posts)$/.exec(route);
    const resource = match?.[1] as FakeResource | undefined;
    const page = Number(url.searchParams.get('page') ?? '1');
    const injected = fault?.({
      ...(resource && { resource }),
      path: route,
      page,
    });
    if (injected === 'reset') {
      request.socket.destroy();
      return;
    }
    const send = (
      status: number,
      body: unknown,
      headers: Record<string, string> = {},
    ) => {
      response.writeHead(status, {
        'content-type': 'application/json; charset=UTF-8',
        ...headers,
      });
      response.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (injected) {
      return send(injected.status, injected.body, injected.headers);
    }
    if (url.pathname === '/' && !url.searchParams.has('rest_route')) {
      response.writeHead(200, {
        'content-type': 'text/html',
        link: `<${origin}/wp-json/>; rel="https://api.w.org/"`,
      });
      response.end('<html><body>fake</body></html>');
      return;
    }
    if (route === '/' || route === '') {
      return send(200, {
        name: 'Fake WordPress',
        url: origin,
        home: origin,
        gmt_offset: 0,
        timezone_string: 'UTC',
        namespaces: ['wp/v2'],
        routes: {},
      });
    }
    const authorised = request.headers.authorization === expectedAuth;
    if (route === '/wp/v2/users/me') {
      return authorised
        ? send(200, { id: 1, name: username })
        : send(401, {
            code: 'rest_not_logged_in',
            message: 'You are not currently logged in.',
            data: { status: 401 },
          });
    }
    if (!resource) {
      return send(404, {
        code: 'rest_no_route',
        message: 'No route was found.',
        data: { status: 404 },
      });
    }
    const items = content[resource];
    const perPage = Number(url.searchParams.get('per_page') ?? '10');
    const pages = Math.max(1, Math.ceil(items.length / perPage));
    if (
      page > pages &&
      items.length > 0 &&
      resource !== 'categories' &&
      resource !== 'tags'
    ) {
      return send(400, {
        code: 'rest_post_invalid_page_number',
        message:
          'The page number requested is larger than the number of pages available.',
        data: { status: 400 },
      });
    }
    const slice = items.slice((page - 1) * perPage, page * perPage);
    return send(200, slice, {
      'x-wp-total': String(items.length),
      'x-wp-totalpages': String(pages),
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    username,
    appPassword,
    content,
    requests,
    setFault: (rule) => {
      fault = rule;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
