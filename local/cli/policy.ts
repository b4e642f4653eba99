/**
 * `npm run policy -- --set <OK|THROTTLED|BLOCKED> [--tenant <id>]`: sets a
 * tenant's cost policy; without `--set`, prints it.
 */
import {
  COST_POLICIES,
  type TenantCostPolicy,
} from '../../shared/tenants/cost-policy.js';
import { connectRuntime } from '../runtime/connect.js';
import { dataDir } from '../runtime/paths.js';
import { LOCAL_TENANT } from '../runtime/tokens.js';
import { EXIT, parseFlags, runCommand, UsageError } from './args.js';
import { serviceFor } from './local-service.js';

const USAGE = `usage: npm run policy -- [--set OK|THROTTLED|BLOCKED] [--tenant <id>]

THROTTLED and BLOCKED stop changed posts and pages from being queued for
embeddings; the report counts the skips and their reason. The tenant
defaults to the CLI's local tenant.`;

runCommand(USAGE, async () => {
  const flags = parseFlags(process.argv.slice(2), {
    set: { type: 'string' },
    tenant: { type: 'string', default: LOCAL_TENANT },
  });
  if (
    flags.set !== undefined &&
    !COST_POLICIES.includes(flags.set as TenantCostPolicy)
  ) {
    throw new UsageError(`--set takes one of ${COST_POLICIES.join(', ')}`);
  }
  const runtime = await connectRuntime(dataDir());
  try {
    const { policies } = serviceFor(runtime.info);
    if (flags.set) {
      await policies.set(flags.tenant, flags.set as TenantCostPolicy);
    }
    const policy = await policies.get(flags.tenant);
    process.stdout.write(
      `${JSON.stringify({ tenantId: flags.tenant, policy })}\n`,
    );
    return EXIT.completed;
  } finally {
    await runtime.release();
  }
});
