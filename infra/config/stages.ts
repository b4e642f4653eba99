/**
 * The deployable stages. Accounts and issuers below are placeholders from
 * AWS's and IANA's documentation ranges: replace them with the real ones
 * before a deploy (see "Deploying to AWS" in README.md).
 */
import type { StageConfigInput } from './stage-config.js';

/** A stage as written here; its name is its key. */
export type StageDefinition = Omit<StageConfigInput, 'stage'>;

export const STAGES = {
  dev: {
    account: '111122223333',
    region: 'eu-west-1',
    auth: {
      issuer: 'https://auth.dev.wp-sync.example.com/',
      audience: ['wp-sync-dev'],
      tenantClaim: 'tenantId',
    },
    timings: {
      apiTimeoutSeconds: 28,
      // One page can spend minutes in WordPress retries (five tries of up
      // to 60 s each); a batch of two needs room for both.
      workerTimeoutSeconds: 300,
      visibilityTimeoutSeconds: 1800,
      leaseSeconds: 360,
      maxReceiveCount: 5,
      maxDeferSeconds: 3600,
    },
    workers: {
      memorySize: 1024,
      batchSize: 2,
      maxBatchingWindowSeconds: 0,
      maxConcurrency: 2,
    },
    api: {
      memorySize: 512,
      defaultThrottle: { rateLimit: 10, burstLimit: 20 },
      routeThrottles: {
        'register-site': { rateLimit: 1, burstLimit: 5 },
        'start-sync': { rateLimit: 1, burstLimit: 5 },
        'get-sync-report': { rateLimit: 10, burstLimit: 20 },
      },
    },
    alarms: { oldestMessageAgeSeconds: 7200, workerErrorRatePercent: 10 },
    logs: { retention: 14, level: 'DEBUG' },
    retainData: false,
  },
  prod: {
    account: '444455556666',
    region: 'eu-west-1',
    auth: {
      issuer: 'https://auth.wp-sync.example.com/',
      audience: ['wp-sync'],
      tenantClaim: 'tenantId',
    },
    timings: {
      apiTimeoutSeconds: 28,
      workerTimeoutSeconds: 300,
      visibilityTimeoutSeconds: 1800,
      leaseSeconds: 360,
      maxReceiveCount: 8,
      // A site in maintenance gets a working day before its pages fail.
      maxDeferSeconds: 8 * 3600,
    },
    workers: {
      memorySize: 1024,
      batchSize: 2,
      maxBatchingWindowSeconds: 0,
      maxConcurrency: 10,
    },
    api: {
      memorySize: 512,
      defaultThrottle: { rateLimit: 50, burstLimit: 100 },
      routeThrottles: {
        'register-site': { rateLimit: 5, burstLimit: 10 },
        'start-sync': { rateLimit: 5, burstLimit: 10 },
        'get-sync-report': { rateLimit: 50, burstLimit: 100 },
      },
    },
    alarms: { oldestMessageAgeSeconds: 3600, workerErrorRatePercent: 5 },
    logs: { retention: 90, level: 'INFO' },
    retainData: true,
  },
} as const satisfies Record<string, StageDefinition>;
