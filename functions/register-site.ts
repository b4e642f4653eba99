import { z } from 'zod';
import { apiHandler } from '../shared/api/handler.js';
import { json, parseBody } from '../shared/api/http.js';
import { createTelemetry } from '../shared/observability/telemetry.js';
import { createService } from '../shared/service.js';
import { publicSite, registerSite } from '../shared/sites/register-site.js';

const service = createService();
const telemetry = createTelemetry('wp-sync-api');

const bodySchema = z.strictObject({
  url: z.string().min(1).max(2048),
  username: z.string().min(1).max(256),
  appPassword: z.string().min(1).max(256),
});

/** `POST /api/wordpress/sites`: registers a tenant's WordPress site. */
export const handler = apiHandler(telemetry, async (event, context) => {
  const body = parseBody(event, bodySchema);

  const { site, created } = await registerSite(
    { tenantId: context.tenantId, ...body },
    {
      sites: service.sites,
      secrets: service.secrets,
      secretPrefix: service.settings.secretPrefix,
      log: telemetry.logger,
      wordpress: service.wordpress,
    },
  );

  return json(created ? 201 : 200, publicSite(site), context.correlationId);
});
