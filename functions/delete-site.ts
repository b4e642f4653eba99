import { apiHandler } from '../shared/api/handler.js';
import {
  empty,
  expectNoBody,
  parsePath,
  parseQuery,
} from '../shared/api/http.js';
import {
  noQuerySchema,
  siteNotFound,
  sitePathSchema,
} from '../shared/api/schemas.js';
import { createAwsClients } from '../shared/aws/clients.js';
import { createTelemetry } from '../shared/observability/telemetry.js';
import { createService } from '../shared/service.js';
import { deleteSite } from '../shared/sites/delete-site.js';
import { PartitionPurger } from '../shared/sites/partition-purge.js';

const service = createService();
const telemetry = createTelemetry('wp-sync-api');
// The service's stores know single items; emptying partitions needs a
// client of its own.
const purger = new PartitionPurger(createAwsClients(service.settings).dynamo, {
  items: service.settings.tables.items,
  syncs: service.settings.tables.syncs,
});

/**
 * `DELETE /api/wordpress/sites/{siteId}`: deletes a site with its stored
 * items, its syncs and its application password; 204.
 */
export const handler = apiHandler(telemetry, async (event, context) => {
  const { siteId } = parsePath(event, sitePathSchema, siteNotFound());
  parseQuery(event, noQuerySchema);
  expectNoBody(event);

  await deleteSite(
    { tenantId: context.tenantId, siteId },
    {
      sites: service.sites,
      siteAccess: service.siteAccess,
      secrets: service.secrets,
      syncs: service.syncs,
      purger,
      log: telemetry.logger,
    },
  );

  return empty(204, context.correlationId);
});
