import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalDocumentClient } from '../../local/aws/clients.js';
import { type LocalAws, startLocalAws } from '../../local/aws/local-aws.js';
import { SiteLimiter } from '../../shared/sync/site-limiter.js';

let aws: LocalAws;
let site = 0;

beforeAll(async () => {
  aws = await startLocalAws({
    prefix: `limiter-${process.pid}`,
    maxReceiveCount: 3,
    visibilityTimeoutSeconds: 5,
  });
});

afterAll(async () => {
  await aws?.stop();
});

function limiter(
  limits = { initial: 2, max: 4, slotLeaseMs: 60_000 },
  now = Date.now,
) {
  return new SiteLimiter(
    createLocalDocumentClient(aws.dynamoDbEndpoint),
    aws.resources.tables.syncs,
    limits,
    now,
  );
}

const nextSite = () => `site_${String(++site).padStart(24, '0')}`;

describe('SiteLimiter', () => {
  it('refuses a slot beyond the limit until one is released', async () => {
    // Prepare: the limit of two is taken.
    const siteId = nextSite();
    const shared = limiter();
    await shared.acquire(siteId, 'first', 1_000);
    await shared.acquire(siteId, 'second', 1_000);

    // Act
    const beyond = await shared.acquire(siteId, 'third', 200);
    await shared.release(siteId, 'first');
    const afterRelease = await shared.acquire(siteId, 'third', 1_000);

    // Assess
    expect(beyond).toBe(false);
    expect(afterRelease).toBe(true);
  });

  it('never lets racing workers hold more slots than the limit', async () => {
    const siteId = nextSite();
    const shared = limiter();
    let holding = 0;
    let most = 0;

    await Promise.all(
      Array.from({ length: 8 }, async (_, worker) => {
        expect(await shared.acquire(siteId, `w${worker}`, 60_000)).toBe(true);
        holding++;
        most = Math.max(most, holding);
        await new Promise((resolve) => setTimeout(resolve, 20));
        holding--;
        await shared.release(siteId, `w${worker}`);
      }),
    );

    expect(most).toBeLessThanOrEqual(2);
  });

  it('gives up when no slot frees within the wait', async () => {
    const siteId = nextSite();
    const shared = limiter({ initial: 1, max: 1, slotLeaseMs: 60_000 });
    await shared.acquire(siteId, 'holder', 1_000);

    expect(await shared.acquire(siteId, 'waiter', 200)).toBe(false);
  });

  it('takes back the slot of a worker that died holding it', async () => {
    // Prepare: a clock the test moves past the dead holder's lease.
    const siteId = nextSite();
    let clock = Date.now();
    const shared = limiter(
      { initial: 1, max: 1, slotLeaseMs: 1_000 },
      () => clock,
    );
    await shared.acquire(siteId, 'dead', 1_000);

    // Act
    clock += 1_001;
    const got = await shared.acquire(siteId, 'next', 1_000);

    // Assess
    expect(got).toBe(true);
  });

  it('halves the limit on a throttle and grows it back by one', async () => {
    const siteId = nextSite();
    const shared = limiter({ initial: 4, max: 4, slotLeaseMs: 60_000 });

    await shared.slowDown(siteId);
    const halved = await shared.limitOf(siteId);
    await shared.speedUp(siteId);

    expect(halved).toBe(2);
    expect(await shared.limitOf(siteId)).toBe(3);
  });
});
