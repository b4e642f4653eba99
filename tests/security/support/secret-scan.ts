/**
 * Looks for secrets in files and texts: the known application password,
 * its `user:password` pair in base64, known tokens, and anything shaped
 * like one of those (a Basic header, a JWT, a WordPress application
 * password), so a secret the test did not know of is found as well.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** What a scan looks for besides the shapes it knows. */
export interface Needles {
  readonly username: string;
  readonly appPassword: string;
  readonly tokens: readonly string[];
}

/** One secret found. */
export interface Finding {
  /** A file path, or the name of a scanned text. */
  readonly where: string;
  readonly kind:
    | 'app-password'
    | 'basic-credentials'
    | 'token'
    | 'basic-header'
    | 'jwt'
    | 'app-password-shape';
}

/** `xxxx xxxx xxxx xxxx xxxx xxxx`, WordPress's display of one. */
const APP_PASSWORD_SHAPE = /\b[A-Za-z0-9]{4}(?: [A-Za-z0-9]{4}){5}\b/g;
const BASIC_HEADER = /\bBasic [A-Za-z0-9+/]{12,}={0,2}/;
const JWT = /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/;

/** Every file under `dir`, except the names in `except`. */
export async function filesUnder(
  dir: string,
  except: readonly string[] = [],
): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && !except.includes(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Scans texts given by name, such as API answers and CLI output. */
export function scanTexts(
  texts: Readonly<Record<string, string>>,
  needles: Needles,
): Finding[] {
  return Object.entries(texts).flatMap(([where, text]) =>
    scanBuffer(where, Buffer.from(text), needles),
  );
}

/** Scans files; binary ones too, as a store's files are. */
export async function scanFiles(
  files: readonly string[],
  needles: Needles,
  root: string,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const file of files) {
    const where = relative(root, file);
    findings.push(...scanBuffer(where, await readFile(file), needles));
  }
  return findings;
}

function scanBuffer(where: string, data: Buffer, needles: Needles): Finding[] {
  const found = new Set<Finding['kind']>();
  const pair = `${needles.username}:${needles.appPassword}`;
  if (data.includes(needles.appPassword)) found.add('app-password');
  // A password with its spaces taken out is still the password.
  if (data.includes(needles.appPassword.replaceAll(' ', ''))) {
    found.add('app-password');
  }
  if (data.includes(Buffer.from(pair).toString('base64'))) {
    found.add('basic-credentials');
  }
  if (needles.tokens.some((token) => data.includes(token))) found.add('token');
  const text = data.toString('latin1');
  if (BASIC_HEADER.test(text)) found.add('basic-header');
  if (JWT.test(text)) found.add('jwt');
  const shaped = text.match(APP_PASSWORD_SHAPE) ?? [];
  // Prose has runs of four-letter words; a generated password mixes cases
  // and digits.
  if (shaped.some((match) => /\d/.test(match) && /[A-Z]/.test(match))) {
    found.add('app-password-shape');
  }
  return [...found].map((kind) => ({ where, kind }));
}
