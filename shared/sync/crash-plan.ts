/**
 * Deliberate crashes for fault-injection runs of the local runtime: at a
 * named step of a page, the worker process dies as a Lambda would when it
 * times out or runs out of memory. Never active outside the local stage.
 */
import { z } from 'zod';
import type { PageMessage } from './model.js';

/** Steps of a page at which a worker can die. */
export const PAGE_STEPS = [
  'after-claim',
  'after-fetch',
  'after-some-upserts',
  'before-record',
  'before-ack',
] as const;

export type PageStep = (typeof PAGE_STEPS)[number];

/** Called by the page worker at each step. */
export type Checkpoint = (step: PageStep, message: PageMessage) => void;

const crashPlanSchema = z.strictObject({
  /** Seed of the choice, so a run can be repeated. */
  seed: z.number().int(),
  /** Chance of dying at each step, 0 to 1. */
  rate: z.number().min(0).max(1),
  steps: z
    .array(z.enum(PAGE_STEPS))
    .min(1)
    .default([...PAGE_STEPS]),
  /** File that each crash appends its step to, so a test can count them. */
  logFile: z.string().min(1),
});

export type CrashPlan = z.infer<typeof crashPlanSchema>;

/** Parses `WP_SYNC_CRASH_PLAN` (JSON). */
export function parseCrashPlan(text: string): CrashPlan {
  return crashPlanSchema.parse(JSON.parse(text));
}

/**
 * A checkpoint that dies at random steps, drawn from the plan's seed and
 * the page and step, so the same plan crashes at the same places again.
 *
 * @param die ends the process; it never returns in real use.
 */
export function crashingCheckpoint(
  plan: CrashPlan,
  die: (step: PageStep, message: PageMessage) => void,
): Checkpoint {
  const seen = new Map<string, number>();
  return (step, message) => {
    if (!plan.steps.includes(step)) return;
    const key = `${message.syncId}/${message.resource}/${message.page}/${step}`;
    // Each visit of the same step draws anew, so a retried page is not
    // doomed to die at the same place for ever.
    const visit = (seen.get(key) ?? 0) + 1;
    seen.set(key, visit);
    if (draw(`${plan.seed}/${key}/${visit}/${process.pid}`) < plan.rate) {
      die(step, message);
    }
  };
}

/** A uniform number in [0, 1) from a string (FNV-1a, then scaled). */
function draw(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash / 0x1_0000_0000;
}
