/**
 * A small WordPress stand-in on 127.0.0.1: a home page naming its REST
 * root, the REST index, `users/me` that accepts exactly one user name and
 * application password, and the five collections a sync reads, each one
 * page long.
 */
import {
  createServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** Behaviour of the fake site. */
export interface FakeWordPressOptions {
  readonly username: string;
  readonly appPassword: string;
  /** Posts served; each has a title and body naming its number. */
  readonly posts?: number;
  /** Never answer any request (a site too slow for the API's budget). */
  readonly hang?: boolean;
  /**
   * Answer the REST index with a redirect to this URL, as a compromised or
   * hostile site might, to send us somewhere internal.
   */
  readonly redirectRestTo?: string;
  /**
   * The origin the site names in its links, when it is reached under
   * another name than its socket (a test's connector dials it for
   * `https://wp.example.com`). @default its own `http://127.0.0.1:PORT`
   */
  readonly origin?: string;
}

/** A running fake site. */
export interface FakeWordPress {
  /** `http://127.0.0.1:PORT/`, the URL to register. */
  readonly url: string;
  /** Request paths (with query) in the order they came. */
  readonly requests: string[];
  close(): Promise<void>;
}

const JSON_TYPE = { 'content-type': 'application/json; charset=UTF-8' };

/** Starts a fake site; close it when the test is done. */
export async function startFakeWordPress(
  options: FakeWordPressOptions,
): Promise<FakeWordPress> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(request.url ?? '/');
    if (options.hang) return;
    answer(request, response, options.origin ?? origin(), options);
  });
  await new Promise<void>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve()),
  );
  const origin = () =>
    `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin()}/`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function answer(
  request: IncomingMessage,
  response: ServerResponse,
  origin: string,
  options: FakeWordPressOptions,
): void {
  const url = new URL(request.url ?? '/', origin);
  const send = (status: number, body: unknown, headers = {}) => {
    response.writeHead(status, { ...JSON_TYPE, ...headers });
    response.end(JSON.stringify(body));
  };
  if (url.pathname === '/') {
    response.writeHead(200, {
      'content-type': 'text/html; charset=UTF-8',
      link: `<${origin}/wp-json/>; rel="https://api.w.org/"`,
    });
    response.end('<!doctype html><title>Fake</title>');
    return;
  }
  if (url.pathname === '/wp-json/') {
    if (options.redirectRestTo) {
      response.writeHead(302, { location: options.redirectRestTo });
      response.end();
      return;
    }
    send(200, {
      name: 'Fake WordPress',
      url: origin,
      home: origin,
      gmt_offset: 0,
      timezone_string: 'UTC',
      namespaces: ['wp/v2'],
    });
    return;
  }
  if (url.pathname === '/wp-json/wp/v2/users/me') {
    if (request.headers.authorization !== basic(options)) {
      send(401, {
        code: 'rest_not_logged_in',
        message: 'You are not currently logged in.',
        data: { status: 401 },
      });
      return;
    }
    send(200, { id: 1, name: 'Editor', slug: 'editor' });
    return;
  }
  const collection = /^\/wp-json\/wp\/v2\/(\w+)$/.exec(url.pathname)?.[1];
  if (collection && COLLECTIONS.has(collection)) {
    const items = itemsOf(collection, origin, options.posts ?? 2);
    const page = Number(url.searchParams.get('page') ?? '1');
    if (page > 1 && !TERMS.has(collection)) {
      send(400, {
        code: 'rest_post_invalid_page_number',
        message:
          'The page number requested is larger than the number of pages available.',
        data: { status: 400 },
      });
      return;
    }
    send(200, page > 1 ? [] : items, {
      'x-wp-total': String(items.length),
      'x-wp-totalpages': String(items.length > 0 ? 1 : 0),
    });
    return;
  }
  send(404, {
    code: 'rest_no_route',
    message: 'No route was found matching the URL and request method.',
    data: { status: 404 },
  });
}

const TERMS = new Set(['categories', 'tags']);
const COLLECTIONS = new Set(['categories', 'tags', 'media', 'pages', 'posts']);

function itemsOf(collection: string, origin: string, posts: number) {
  if (collection === 'categories') {
    return [{ id: 1, name: 'Uncategorized', slug: 'uncategorized', count: 1 }];
  }
  if (collection !== 'posts') {
    return [];
  }
  return Array.from({ length: posts }, (_, index) => {
    const id = index + 1;
    return {
      id,
      slug: `post-${id}`,
      status: 'publish',
      type: 'post',
      link: `${origin}/post-${id}/`,
      date_gmt: '2024-01-01T00:00:00',
      modified_gmt: '2024-01-01T00:00:00',
      title: { raw: `Post ${id}`, rendered: `Post ${id}` },
      content: { raw: `<p>Body ${id}</p>`, rendered: `<p>Body ${id}</p>` },
      excerpt: { raw: '', rendered: '' },
      categories: [1],
      tags: [],
    };
  });
}

/** The Authorization header the fake accepts. */
export function basic(credentials: {
  username: string;
  appPassword: string;
}): string {
  const pair = `${credentials.username}:${credentials.appPassword}`;
  return `Basic ${Buffer.from(pair).toString('base64')}`;
}
