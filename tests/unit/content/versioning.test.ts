import { describe, expect, it } from 'vitest';
import {
  decide,
  type IncomingVersion,
  type StoredVersion,
  writeCondition,
} from '../../../shared/content/versioning.js';

const incoming = (over: Partial<IncomingVersion> = {}): IncomingVersion => ({
  hash: 'h-new',
  fetchedAt: '2024-05-02T10:00:00.000Z',
  modifiedGmt: '2024-05-01T10:00:00Z',
  syncId: 'sync_b',
  syncTask: 'TASK#posts#000001',
  ...over,
});

const stored = (over: Partial<StoredVersion> = {}): StoredVersion => ({
  hash: 'h-old',
  fetchedAt: '2024-05-01T12:00:00.000Z',
  modifiedGmt: '2024-04-30T10:00:00Z',
  syncId: 'sync_a',
  syncTask: 'TASK#posts#000001',
  syncAction: 'created',
  ...over,
});

describe('decide', () => {
  it('creates an item the store does not hold', () => {
    expect(decide(incoming(), undefined)).toEqual({ kind: 'create' });
  });

  it('updates when WordPress modified the item later', () => {
    expect(decide(incoming(), stored())).toEqual({ kind: 'update' });
  });

  it('skips a version older than the stored one', () => {
    // Prepare
    const older = incoming({ modifiedGmt: '2024-04-29T10:00:00Z' });

    // Act
    const decision = decide(older, stored());

    // Assess
    expect(decision).toEqual({ kind: 'skip', reason: 'stale' });
  });

  it('skips unchanged content whatever the dates say', () => {
    const same = incoming({ hash: 'h-old' });

    expect(decide(same, stored())).toEqual({
      kind: 'skip',
      reason: 'unchanged',
    });
  });

  it('updates changed content of the same second when fetched later', () => {
    const sameSecond = incoming({ modifiedGmt: '2024-04-30T10:00:00Z' });

    expect(decide(sameSecond, stored())).toEqual({ kind: 'update' });
  });

  it('skips changed content of the same second fetched earlier', () => {
    const fetchedEarlier = incoming({
      modifiedGmt: '2024-04-30T10:00:00Z',
      fetchedAt: '2024-05-01T11:00:00.000Z',
    });

    expect(decide(fetchedEarlier, stored())).toEqual({
      kind: 'skip',
      reason: 'stale',
    });
  });

  it('never lets an undated version replace a dated one', () => {
    const undated = incoming({ modifiedGmt: undefined });

    expect(decide(undated, stored())).toEqual({
      kind: 'skip',
      reason: 'unknown-date',
    });
  });

  it('updates an undated term whose content changed', () => {
    const term = incoming({ modifiedGmt: undefined });

    expect(decide(term, stored({ modifiedGmt: undefined }))).toEqual({
      kind: 'update',
    });
  });

  it('replays the action of an earlier attempt of the same task', () => {
    // Prepare: the first attempt wrote the item, then died before recording.
    const retry = incoming({ hash: 'h-same', syncId: 'sync_a' });
    const written = stored({ hash: 'h-same', syncAction: 'updated' });

    // Act
    const decision = decide(retry, written);

    // Assess
    expect(decision).toEqual({ kind: 'replay', action: 'updated' });
  });

  it('skips an item another task of the same sync already wrote', () => {
    const duplicate = incoming({
      hash: 'h-same',
      syncId: 'sync_a',
      syncTask: 'TASK#posts#000002',
    });

    expect(decide(duplicate, stored({ hash: 'h-same' }))).toEqual({
      kind: 'skip',
      reason: 'unchanged',
    });
  });
});

describe('writeCondition', () => {
  it('binds the incoming modified time, hash and fetch time', () => {
    const version = incoming();

    const condition = writeCondition(version);

    expect(condition.values).toEqual({
      ':hash': version.hash,
      ':fetched': version.fetchedAt,
      ':modified': version.modifiedGmt,
    });
    expect(condition.expression).toContain('#modified < :modified');
  });

  it('lets an undated version replace only undated ones', () => {
    const condition = writeCondition(incoming({ modifiedGmt: undefined }));

    expect(condition.values).not.toHaveProperty(':modified');
    expect(condition.expression).toContain(
      'attribute_not_exists(#modified) AND',
    );
  });
});
