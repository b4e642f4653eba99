/**
 * Picks the stage named by `-c stage=NAME` and checks its configuration.
 */
import { z } from 'zod';
import { type StageConfig, stageConfigSchema } from './stage-config.js';
import { STAGES, type StageDefinition } from './stages.js';

/** A stage that is unknown or whose configuration is wrong. */
export class StageConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StageConfigError';
  }
}

/**
 * The checked configuration of the stage `name`.
 *
 * Every stage must deploy to its own account or region: the handlers
 * publish metrics under one namespace and service names that carry no
 * stage, so two stages side by side would draw on each other's numbers.
 *
 * @param name the `stage` context value.
 * @param stages the stage definitions; the project's by default.
 * @throws {StageConfigError} naming the stage and each bad field.
 */
export function loadStage(
  name: unknown,
  stages: Readonly<Record<string, StageDefinition>> = STAGES,
): StageConfig {
  const known = Object.keys(stages).join(', ');
  if (typeof name !== 'string' || !Object.hasOwn(stages, name)) {
    throw new StageConfigError(
      `Pick a stage with -c stage=NAME; known stages: ${known}`,
    );
  }
  const parsed = stageConfigSchema.safeParse({ ...stages[name], stage: name });
  if (!parsed.success) {
    throw new StageConfigError(
      `Stage ${name} is misconfigured:\n${z.prettifyError(parsed.error)}`,
    );
  }
  const sharing = Object.entries(stages).find(
    ([other, definition]) =>
      other !== name &&
      definition.account === parsed.data.account &&
      definition.region === parsed.data.region,
  );
  if (sharing) {
    throw new StageConfigError(
      `Stages ${name} and ${sharing[0]} share account ${parsed.data.account} ` +
        `in ${parsed.data.region}; their metrics would mix`,
    );
  }
  return parsed.data;
}
