/**
 * Last write wins: which of two versions of an item the store keeps.
 *
 * The same rule exists twice on purpose: here, to decide before writing
 * (a skip then costs no write at all), and as the condition of the write,
 * so two workers racing on one item still end with the newer version.
 */
import type { SyncAction } from './item.js';

/** The parts of a stored item that decide whether a new version wins. */
export interface StoredVersion {
  readonly hash: string;
  readonly fetchedAt: string;
  readonly modifiedGmt?: string;
  readonly syncId?: string;
  readonly syncTask?: string;
  readonly syncAction?: SyncAction;
}

/** The same parts of the version a worker just fetched. */
export interface IncomingVersion {
  readonly hash: string;
  readonly fetchedAt: string;
  readonly modifiedGmt?: string;
  readonly syncId: string;
  readonly syncTask: string;
}

export type Decision =
  | { readonly kind: 'create' }
  | { readonly kind: 'update' }
  | { readonly kind: 'skip'; readonly reason: SkipReason }
  /** An earlier attempt of this very task wrote it; count what it did. */
  | { readonly kind: 'replay'; readonly action: SyncAction };

export type SkipReason = 'unchanged' | 'stale' | 'unknown-date';

/**
 * Decides what to do with an incoming version given the stored one.
 *
 * Versions compare by `modifiedGmt`, which WordPress keeps to the second,
 * so equal times fall back to the content hash and then to fetch order: a
 * field WordPress changed without touching the date still gets through.
 * A version with no known time never replaces one with a known time.
 */
export function decide(
  incoming: IncomingVersion,
  stored: StoredVersion | undefined,
): Decision {
  if (!stored) {
    return { kind: 'create' };
  }
  if (stored.hash === incoming.hash) {
    if (
      stored.syncId === incoming.syncId &&
      stored.syncTask === incoming.syncTask &&
      stored.syncAction
    ) {
      return { kind: 'replay', action: stored.syncAction };
    }
    return { kind: 'skip', reason: 'unchanged' };
  }
  if (incoming.modifiedGmt === undefined) {
    return stored.modifiedGmt === undefined &&
      incoming.fetchedAt > stored.fetchedAt
      ? { kind: 'update' }
      : { kind: 'skip', reason: 'unknown-date' };
  }
  if (stored.modifiedGmt === undefined) {
    return { kind: 'update' };
  }
  if (incoming.modifiedGmt > stored.modifiedGmt) {
    return { kind: 'update' };
  }
  if (
    incoming.modifiedGmt === stored.modifiedGmt &&
    incoming.fetchedAt > stored.fetchedAt
  ) {
    return { kind: 'update' };
  }
  return { kind: 'skip', reason: 'stale' };
}

/** A DynamoDB condition with its placeholder names and values. */
export interface WriteCondition {
  readonly expression: string;
  readonly names: Record<string, string>;
  readonly values: Record<string, unknown>;
}

/**
 * The condition under which a put of `incoming` may replace what is stored.
 * It mirrors {@link decide}, evaluated by DynamoDB at the moment of the
 * write.
 */
export function writeCondition(incoming: IncomingVersion): WriteCondition {
  const names = {
    '#key': 'itemKey',
    '#hash': 'hash',
    '#fetched': 'fetchedAt',
    '#modified': 'modifiedGmt',
  };
  // Nothing is stored under this key yet.
  const isNew = 'attribute_not_exists(#key)';
  // The content differs and was fetched later than the stored copy.
  const changedLater = '(#hash <> :hash AND #fetched < :fetched)';
  if (incoming.modifiedGmt === undefined) {
    // Undated versions (terms) only replace other undated versions.
    const storedUndated = 'attribute_not_exists(#modified)';
    return {
      expression: `${isNew} OR (${storedUndated} AND ${changedLater})`,
      names,
      values: { ':hash': incoming.hash, ':fetched': incoming.fetchedAt },
    };
  }
  // WordPress modified the item after the stored version.
  const newer = '#modified < :modified';
  // The stored copy has no date, so any dated version is better.
  const storedUndated = 'attribute_not_exists(#modified)';
  // Same second: the later fetch of different content wins.
  const sameSecondChanged = `(#modified = :modified AND ${changedLater})`;
  return {
    expression: `${isNew} OR ${storedUndated} OR ${newer} OR ${sameSecondChanged}`,
    names,
    values: {
      ':hash': incoming.hash,
      ':fetched': incoming.fetchedAt,
      ':modified': incoming.modifiedGmt,
    },
  };
}
