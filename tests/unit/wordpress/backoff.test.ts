import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs,
  parseRetryAfter,
} from '../../../shared/wordpress/backoff.js';

describe('parseRetryAfter', () => {
  const nowMs = Date.UTC(2026, 0, 1, 12, 0, 0);

  it('reads delay seconds', () => {
    // Act
    const seconds = parseRetryAfter('600', nowMs, 900);

    // Assess
    expect(seconds).toBe(600);
  });

  it('reads an HTTP date as seconds from now', () => {
    // Prepare
    const at = new Date(nowMs + 90_000).toUTCString();

    // Act
    const seconds = parseRetryAfter(at, nowMs, 900);

    // Assess
    expect(seconds).toBe(90);
  });

  it('caps long waits and floors past dates at 0', () => {
    // Act
    const long = parseRetryAfter('86400', nowMs, 900);
    const past = parseRetryAfter(
      new Date(nowMs - 5000).toUTCString(),
      nowMs,
      900,
    );

    // Assess
    expect(long).toBe(900);
    expect(past).toBe(0);
  });

  it('ignores missing and unreadable values', () => {
    // Act
    const values = [undefined, '', 'soon', '-5', '1.5'].map((value) =>
      parseRetryAfter(value, nowMs, 900),
    );

    // Assess
    expect(values).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe('backoffDelayMs', () => {
  it('doubles the ceiling per attempt and scales it by the random draw', () => {
    // Act
    const delays = [1, 2, 3, 4].map((attempt) =>
      backoffDelayMs(attempt, 500, 30_000, () => 0.5),
    );

    // Assess
    expect(delays).toEqual([250, 500, 1000, 2000]);
  });

  it('never exceeds the cap', () => {
    // Act
    const delay = backoffDelayMs(20, 500, 30_000, () => 0.999);

    // Assess
    expect(delay).toBeLessThan(30_000);
    expect(delay).toBeGreaterThan(29_000);
  });
});
