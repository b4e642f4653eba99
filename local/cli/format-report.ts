import { JOB_TYPES } from '../../shared/resources.js';
import type { SyncReport } from '../../shared/sync/report.js';

/** A sync report as a person reads it in a terminal. */
export function formatReport(report: SyncReport): string {
  const lines = [
    `sync ${report.syncId}: ${report.status}`,
    `  ${'job'.padEnd(6)} ${'status'.padEnd(22)} ${'pages'.padStart(9)} ${'created'.padStart(8)} ${'updated'.padStart(8)} ${'skipped'.padStart(8)} ${'failed'.padStart(7)} ${'dangling'.padStart(9)}`,
  ];
  for (const job of JOB_TYPES) {
    const entry = report.jobs[job];
    lines.push(
      `  ${job.padEnd(6)} ${entry.status.padEnd(22)} ${`${entry.pages.done}/${entry.pages.total}`.padStart(9)} ${String(entry.created).padStart(8)} ${String(entry.updated).padStart(8)} ${String(entry.skipped).padStart(8)} ${String(entry.failed).padStart(7)} ${String(entry.danglingReferences).padStart(9)}`,
    );
  }
  const reasons = Object.entries(report.embeddings.skipReasons)
    .map(([reason, count]) => `${reason}: ${count}`)
    .join(', ');
  lines.push(
    `  embeddings: ${report.embeddings.queued} queued, ${report.embeddings.skipped} skipped${reasons ? ` (${reasons})` : ''}`,
  );
  if (report.durationMs !== undefined) {
    lines.push(`  took ${(report.durationMs / 1000).toFixed(1)} s`);
  }
  for (const job of JOB_TYPES) {
    for (const error of report.jobs[job].errors) {
      lines.push(
        `  error ${job}: ${error.code}${error.wpId ? ` (wp id ${error.wpId})` : ''}: ${error.message}`,
      );
    }
    for (const warning of report.jobs[job].warnings.slice(0, 5)) {
      lines.push(`  warning ${job}: ${warning.code}: ${warning.message}`);
    }
  }
  return lines.join('\n');
}
