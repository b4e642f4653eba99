/**
 * The Powertools service names the handlers' code gives its Logger and
 * Metrics. Powertools adds the name as the `service` dimension of every
 * metric, so the dashboard and alarms must select by the same names; the
 * bundle test reads them back from the handlers' own output.
 */
import type { JobType } from '../../shared/resources.js';

/** Service name of the API handlers (`createTelemetry` in `functions/`). */
export const API_SERVICE_NAME = 'wp-sync-api';

/** Service name of a job's worker (`shared/sync/worker-handler.ts`). */
export function workerServiceName(job: JobType): string {
  return `wp-sync-${job}-worker`;
}
