import type { WpSyncApi } from './api-client.js';
import { ProgressView } from './progress.js';

/** Registers, starts and follows one sync to its end. */
export async function syncSite(
  api: WpSyncApi,
  options: {
    url: string;
    username: string;
    appPassword: string;
    timeoutMs: number;
    quiet: boolean;
    /** Draws the progress bars on stderr. @default true */
    progress?: boolean;
  },
) {
  const site = await api.registerSite({
    url: options.url,
    username: options.username,
    appPassword: options.appPassword,
  });
  const { syncId } = await api.startSync(site.siteId);
  if (!options.quiet) {
    process.stderr.write(`sync ${syncId} of ${site.url} started\n`);
  }
  const progress = options.progress === false ? undefined : new ProgressView();
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const report = await api.report(syncId);
    progress?.show(report);
    if (report.finishedAt) {
      return report;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `sync ${syncId} did not finish within ${options.timeoutMs / 1000} s; ` +
          `it goes on in the runtime`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
