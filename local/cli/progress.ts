/**
 * Progress of a sync on stderr: one bar per job, redrawn in place on a
 * terminal, a line per change otherwise.
 */
import { JOB_TYPES } from '../../shared/resources.js';
import type { SyncReport } from '../../shared/sync/report.js';

const WIDTH = 24;

export class ProgressView {
  private drawn = 0;
  private last = '';

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  show(report: SyncReport): void {
    const lines = JOB_TYPES.map((job) => {
      const { pages, status, created, updated, skipped, failed } =
        report.jobs[job];
      const share = pages.total === 0 ? 0 : pages.done / pages.total;
      const filled = Math.round(share * WIDTH);
      const bar = `${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}`;
      return `${job.padEnd(6)} [${bar}] ${String(pages.done).padStart(4)}/${String(pages.total).padEnd(4)} pages  +${created} ~${updated} =${skipped} !${failed}  ${status}`;
    });
    const text = lines.join('\n');
    if (text === this.last) return;
    this.last = text;
    if (this.stream.isTTY) {
      if (this.drawn > 0) this.stream.write(`\x1b[${this.drawn}F\x1b[J`);
      this.stream.write(`${text}\n`);
      this.drawn = lines.length;
    } else {
      this.stream.write(`${text}\n\n`);
    }
  }
}
