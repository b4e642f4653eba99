/**
 * What each handler touches, declared once: the stack grants exactly this
 * and hands each function the names and URLs of exactly these resources.
 */
import type { JobType, QueueName, TABLES } from '../../shared/resources.js';

type IndexOf<T extends keyof typeof TABLES> =
  (typeof TABLES)[T]['indexes'][number]['name'];

/** Access to one table and, for queries, some of its indexes. */
export interface TableAccess<T extends keyof typeof TABLES> {
  readonly level: 'read' | 'readwrite';
  /**
   * Indexes the function queries.
   *
   * @default - none
   */
  readonly indexes?: readonly IndexOf<T>[];
}

/** The secret operations a handler performs on the stage's prefix. */
export type SecretAction = 'create' | 'put' | 'get' | 'delete';

/** Everything one function may reach besides its own log group. */
export interface FunctionAccess {
  readonly tables: { readonly [T in keyof typeof TABLES]?: TableAccess<T> };
  /** Queues it sends messages to. */
  readonly sendsTo: readonly QueueName[];
  /**
   * Dead-letter queues it sends to itself, by their source queue's name.
   *
   * @default - none
   */
  readonly sendsToDeadLetters?: readonly QueueName[];
  /** Its operations on the secrets under the stage's prefix. */
  readonly secrets: readonly SecretAction[];
}

/**
 * The API handlers' access, by handler file name. A route in `ROUTES`
 * without an entry here stops synthesis (see {@link apiAccessOf}). The
 * POST handlers keep first answers to an `Idempotency-Key` in the
 * idempotency table.
 */
export const API_ACCESS: Readonly<Record<string, FunctionAccess>> = {
  'register-site': {
    tables: {
      sites: { level: 'readwrite' },
      idempotency: { level: 'readwrite' },
    },
    sendsTo: [],
    // It probes the site (outbound HTTPS needs no grant: the functions run
    // outside a VPC) and stores the application password.
    secrets: ['create', 'put', 'get'],
  },
  'list-sites': {
    tables: { sites: { level: 'read' } },
    sendsTo: [],
    secrets: [],
  },
  'get-site': {
    tables: { sites: { level: 'read' } },
    sendsTo: [],
    secrets: [],
  },
  'update-site-credentials': {
    tables: { sites: { level: 'readwrite' } },
    sendsTo: [],
    // Checks the new password with WordPress, then stores it (a put that
    // creates the secret again if it is gone).
    secrets: ['create', 'put'],
  },
  'delete-site': {
    // Empties the site's partitions of items and syncs, found by bySite.
    tables: {
      sites: { level: 'readwrite' },
      syncs: { level: 'readwrite', indexes: ['bySite'] },
      items: { level: 'readwrite' },
    },
    sendsTo: [],
    secrets: ['delete'],
  },
  'start-sync': {
    tables: {
      sites: { level: 'read' },
      syncs: { level: 'readwrite', indexes: ['bySite'] },
      idempotency: { level: 'readwrite' },
    },
    sendsTo: ['terms', 'media', 'pages', 'posts'],
    secrets: ['get'],
  },
  'get-sync-report': {
    tables: { syncs: { level: 'read' } },
    sendsTo: [],
    secrets: [],
  },
  'cancel-sync': {
    tables: {
      syncs: { level: 'readwrite' },
      idempotency: { level: 'readwrite' },
    },
    sendsTo: [],
    secrets: [],
  },
};

/**
 * The access of an API handler.
 *
 * @throws {Error} for a handler nobody declared: a new route must say what
 *   it touches before it deploys, or it would run with no grants at all.
 */
export function apiAccessOf(handler: string): FunctionAccess {
  const access = API_ACCESS[handler];
  if (!access) {
    throw new Error(
      `Route handler ${handler} has no entry in API_ACCESS ` +
        '(infra/access/function-access.ts): declare the tables, queues ' +
        'and secrets it touches',
    );
  }
  return access;
}

/**
 * A worker's access: it consumes its own queue (granted with its event
 * source mapping), sends the pages it discovers and the pages it defers
 * back to that queue, embedding requests to the embeddings queue, and a
 * page whose wait budget ran out to its queue's dead letters.
 */
export function workerAccess(job: JobType): FunctionAccess {
  return {
    tables: {
      syncs: { level: 'readwrite', indexes: ['bySite', 'pending'] },
      items: { level: 'readwrite' },
      sites: { level: 'read' },
      tenants: { level: 'read' },
    },
    sendsTo: [job, 'embeddings'],
    sendsToDeadLetters: [job],
    secrets: ['get'],
  };
}
