/**
 * What each handler touches, declared once: the stack grants exactly this
 * and hands each function the names and URLs of exactly these resources.
 */
import type { JobType, QueueName, TABLES } from '../../shared/resources.js';
import type { RouteHandler } from '../config/stage-config.js';

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
export type SecretAction = 'create' | 'put' | 'get';

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

/** The API handlers' access, by handler. */
export const API_ACCESS = {
  'register-site': {
    tables: { sites: { level: 'readwrite' } },
    sendsTo: [],
    // It probes the site (outbound HTTPS needs no grant: the functions run
    // outside a VPC) and stores the application password.
    secrets: ['create', 'put', 'get'],
  },
  'start-sync': {
    tables: {
      sites: { level: 'read' },
      syncs: { level: 'readwrite', indexes: ['bySite'] },
    },
    sendsTo: ['terms', 'media', 'pages', 'posts'],
    secrets: ['get'],
  },
  'get-sync-report': {
    tables: { syncs: { level: 'read' } },
    sendsTo: [],
    secrets: [],
  },
} as const satisfies Record<RouteHandler, FunctionAccess>;

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
