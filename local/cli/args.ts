import { type ParseArgsConfig, parseArgs } from 'node:util';

/** A command-line mistake; the command prints it and exits with 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Parses flags, turning Node's errors into a usage error. */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
) {
  try {
    return parseArgs({ args: argv, options, strict: true }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Exit codes of the CLI, by sync outcome. */
export const EXIT = {
  completed: 0,
  usage: 2,
  completed_with_errors: 3,
  failed: 4,
} as const;

/** Runs a command's main function with the CLI's error conventions. */
export async function runCommand(
  usage: string,
  main: () => Promise<number>,
): Promise<void> {
  // The CLI runs on Node 20, which the AWS SDK warns about on every call;
  // the deployed Lambdas run on Node 22 and never see it.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  try {
    process.exitCode = await main();
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n\n${usage}\n`);
      process.exitCode = EXIT.usage;
      return;
    }
    process.stderr.write(`error: ${(error as Error).message}\n`);
    process.exitCode = EXIT.failed;
  }
}
