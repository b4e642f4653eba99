/**
 * The composition root: builds the clients and stores a handler uses from
 * the settings, once per cold start.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { createAwsClients } from './aws/clients.js';
import { queueUrl, readSettings, type Settings } from './config.js';
import { ItemStore } from './content/item-store.js';
import { WpSyncError } from './errors.js';
import { guardedHttpOptions } from './http/ssrf-guard.js';
import { FileSecretStore } from './secrets/file-secret-store.js';
import type { SecretStore } from './secrets/secret-store.js';
import { SecretsManagerSecretStore } from './secrets/secrets-manager-store.js';
import { SiteAccessLoader } from './sites/site-access.js';
import { SiteStore } from './sites/site-store.js';
import {
  type Checkpoint,
  type CrashPlan,
  crashingCheckpoint,
  parseCrashPlan,
} from './sync/crash-plan.js';
import { Dispatcher } from './sync/dispatch.js';
import { DEFAULT_SITE_LIMITS, SiteLimiter } from './sync/site-limiter.js';
import { SyncStore } from './sync/sync-store.js';
import { CostPolicyStore } from './tenants/cost-policy.js';
import type { WpClientDeps } from './wordpress/client.js';

/** Everything a handler needs, wired once. */
export interface Service {
  readonly settings: Settings;
  readonly sites: SiteStore;
  readonly siteAccess: SiteAccessLoader;
  readonly secrets: SecretStore;
  readonly syncs: SyncStore;
  readonly items: ItemStore;
  readonly policies: CostPolicyStore;
  readonly dispatcher: Dispatcher;
  readonly limiter: SiteLimiter;
  readonly wordpress: WpClientDeps;
  /** Identifies this process as the owner of the page tasks it claims. */
  readonly workerId: string;
  /** Fault injection, from the local stage's crash plan only. */
  readonly checkpoint?: Checkpoint;
}

/** Builds the service from the environment (or given settings). */
export function createService(settings: Settings = readSettings()): Service {
  const { dynamo, sqs } = createAwsClients(settings);
  const secrets = createSecretStore(settings);
  const sites = new SiteStore(dynamo, settings.tables.sites);
  return {
    settings,
    sites,
    siteAccess: new SiteAccessLoader(sites, secrets),
    secrets,
    syncs: new SyncStore(dynamo, settings.tables.syncs),
    items: new ItemStore(dynamo, settings.tables.items),
    policies: new CostPolicyStore(dynamo, settings.tables.tenants),
    // A slot lasts as long as a page lease: a worker that dies mid-fetch
    // frees its site's slot when its page becomes free again.
    limiter: new SiteLimiter(dynamo, settings.tables.syncs, {
      ...DEFAULT_SITE_LIMITS,
      slotLeaseMs: settings.leaseSeconds * 1000,
    }),
    dispatcher: new Dispatcher(sqs, (queue, kind) =>
      queueUrl(settings, queue, kind),
    ),
    // Every request to a tenant's site passes the SSRF guard; only the local
    // runtime may reach plain http and loopback origins.
    wordpress: {
      http: guardedHttpOptions({
        allowLocalOrigins: settings.allowLocalOrigins,
      }),
      // A longer Retry-After defers the page (a delayed message) rather than
      // holding a worker, and the messages queued behind it, asleep.
      config: { maxInlineWaitSeconds: 5 },
    },
    workerId: `${process.env.AWS_LAMBDA_LOG_STREAM_NAME ?? 'local'}:${randomUUID()}`,
    ...(settings.crashPlan && {
      checkpoint: crashingPlan(parseCrashPlan(settings.crashPlan)),
    }),
  };
}

/**
 * A checkpoint that dies like a Lambda out of time: at once, with nothing
 * cleaned up, after noting the step so a test can count the crashes.
 */
function crashingPlan(plan: CrashPlan): Checkpoint {
  return crashingCheckpoint(plan, (step, message) => {
    appendFileSync(
      plan.logFile,
      `${step} ${message.resource} ${message.page}\n`,
    );
    process.kill(process.pid, 'SIGKILL');
  });
}

function createSecretStore(settings: Settings): SecretStore {
  if (settings.secretStore === 'secretsmanager') {
    return new SecretsManagerSecretStore();
  }
  if (!settings.dataDir) {
    throw new WpSyncError(
      'CONFIG_INVALID',
      'SECRET_STORE=file needs WP_SYNC_DATA_DIR',
    );
  }
  return new FileSecretStore(settings.dataDir);
}
