/**
 * The records of a sync as they live in the syncs table, and the message
 * that carries one page of work through a queue.
 */
import { z } from 'zod';
import { JOB_TYPES, type JobType } from '../resources.js';

/** The WordPress collections a job pages through. */
export const JOB_RESOURCES = {
  terms: ['categories', 'tags'],
  media: ['media'],
  pages: ['pages'],
  posts: ['posts'],
} as const satisfies Record<JobType, readonly string[]>;

export type Resource = (typeof JOB_RESOURCES)[JobType][number];

export const RESOURCES = Object.values(JOB_RESOURCES).flat() as Resource[];

export type SyncStatus =
  | 'queued'
  | 'running'
  | 'completed'
  | 'completed_with_errors'
  | 'failed';

/** The statuses a sync or job ends in. */
export type FinalStatus = Exclude<SyncStatus, 'queued' | 'running'>;

export type JobStatus = SyncStatus;

/** A problem worth showing in a report, tied to an item when known. */
export interface Finding {
  readonly code: string;
  readonly message: string;
  readonly wpId?: number;
  readonly resource?: Resource;
  readonly page?: number;
}

/** Counts of what a page, job or sync did to the store. */
export interface ItemCounts {
  created: number;
  updated: number;
  skipped: number;
  failed: number;
  embeddingsQueued: number;
  embeddingsSkipped: number;
}

export const ZERO_COUNTS: Readonly<ItemCounts> = Object.freeze({
  created: 0,
  updated: 0,
  skipped: 0,
  failed: 0,
  embeddingsQueued: 0,
  embeddingsSkipped: 0,
});

export const REC = {
  sync: 'SYNC',
  job: (job: JobType) => `JOB#${job}`,
  task: (resource: Resource, page: number) =>
    `TASK#${resource}#${String(page).padStart(6, '0')}`,
  taskPrefix: 'TASK#',
  embedding: (localId: string) => `EMBED#${localId}`,
} as const;

/** The sync record: one per `sync-all` request. */
export interface SyncRecord {
  readonly syncId: string;
  readonly rec: 'SYNC';
  readonly tenantId: string;
  readonly siteId: string;
  /** `tenantId#siteId`: the key of the bySite index. */
  readonly siteKey: string;
  readonly correlationId: string;
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly status: SyncStatus;
  readonly danglingReferences?: Partial<Record<JobType, number>>;
  /** Set while the sync runs: the sparse pending index lists it. */
  readonly pendingKind?: 'sync';
  readonly pendingSince?: string;
}

/** One job of a sync: an entity and the page tasks it has grown. */
export interface JobRecord extends ItemCounts {
  readonly syncId: string;
  readonly rec: string;
  readonly job: JobType;
  readonly status: JobStatus;
  readonly pagesTotal: number;
  readonly pagesDone: number;
  readonly pagesFailed: number;
  readonly requestMs: number;
  readonly requestCount: number;
  readonly upsertMs: number;
  readonly upsertCount: number;
  readonly finishedAt?: string;
}

export type TaskState = 'pending' | 'claimed' | 'done' | 'failed';

/** One page of one WordPress collection, claimed by one worker at a time. */
export interface TaskRecord {
  readonly syncId: string;
  readonly rec: string;
  readonly job: JobType;
  readonly resource: Resource;
  readonly page: number;
  readonly state: TaskState;
  readonly owner?: string;
  /** Epoch milliseconds after which another worker may take the task. */
  readonly leaseUntil?: number;
  readonly attempts?: number;
  readonly counts?: ItemCounts;
  readonly warnings?: Finding[];
  readonly errors?: Finding[];
  readonly requestMs?: number;
  readonly upsertMs?: number;
  /** Times the page was put off because its site asked us to wait. */
  readonly deferrals?: number;
  readonly deferredSeconds?: number;
  readonly deferredUntil?: string;
  readonly deferredCode?: string;
  readonly deferredReason?: string;
  readonly pendingKind?: 'task';
  readonly pendingSince?: string;
}

/** The body of a page message on an entity queue. */
export const pageMessageSchema = z.object({
  v: z.literal(1),
  syncId: z.string().min(1),
  tenantId: z.string().min(1),
  siteId: z.string().min(1),
  job: z.enum(JOB_TYPES),
  resource: z.enum(RESOURCES as [Resource, ...Resource[]]),
  page: z.number().int().min(1),
  correlationId: z.string().min(1),
});

export type PageMessage = z.infer<typeof pageMessageSchema>;

/** The body of a message on the embeddings queue. */
export interface EmbeddingMessage {
  readonly v: 1;
  readonly tenantId: string;
  readonly siteId: string;
  readonly syncId: string;
  readonly localId: string;
  readonly type: 'post' | 'page';
  readonly wpId: number;
  readonly hash: string;
  readonly correlationId: string;
}
