/**
 * Types shared by the parts of the WordPress client. `client.ts` re-exports
 * them; import from there.
 */
import type { OutboundOptions } from '../http/outbound.js';
import type { WordPressClientConfig } from './config.js';

/** The collections a sync copies, named as their `wp/v2` routes. */
export type WpResource = 'categories' | 'tags' | 'media' | 'pages' | 'posts';

/** Where a site's REST API lives and how to sign in to it. */
export interface WpConnection {
  /**
   * The REST root with its trailing slash: `https://example.test/wp-json/`
   * in pretty mode, `https://example.test/?rest_route=/` in query mode.
   */
  restRoot: string;
  /** `query` when routes go into the `rest_route` query parameter. */
  restMode: 'pretty' | 'query';
  username: string;
  /** An application password; sent only in the Authorization header. */
  appPassword: string;
}

/** Something odd but survivable about a response, for the sync report. */
export interface WpWarning {
  /** A stable code such as `WP_BOM_IN_BODY`. */
  code: string;
  message: string;
}

/**
 * Structured logger; fields never carry secrets. A Powertools `Logger`
 * fits as it is.
 */
export interface WpLogger {
  debug(message: string, fields: Record<string, unknown>): void;
  info(message: string, fields: Record<string, unknown>): void;
  warn(message: string, fields: Record<string, unknown>): void;
}

/** Collaborators of the client; tests replace them to run instantly. */
export interface WpClientDeps {
  /** How connections are made (DNS lookup, guard, ...). */
  http?: OutboundOptions;
  /** Waits between retries. @default a real timer */
  sleep?: (ms: number) => Promise<void>;
  /** Millisecond clock, for `Retry-After` dates and timings. @default Date.now */
  now?: () => number;
  /** Uniform random number in [0, 1), for backoff jitter. @default Math.random */
  random?: () => number;
  logger?: WpLogger;
  /** Overrides of `DEFAULT_CONFIG`. */
  config?: Partial<WordPressClientConfig>;
}
