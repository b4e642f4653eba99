/**
 * Reading a WordPress body as JSON when the site put noise in front of it.
 *
 * PHP writes whatever a plugin prints ahead of the REST output: byte-order
 * marks of files saved with one, and diagnostics when `display_errors` is
 * on. Only noise that is unmistakably one of these is removed; anything
 * else makes the body unreadable rather than guessed at.
 */
import type { WpWarning } from './types.js';

/** What reading a body produced. */
export type ParsedBody =
  | { ok: true; value: unknown; warnings: WpWarning[] }
  | {
      ok: false;
      /** `html` when the body is markup, `empty` when nothing is left. */
      kind: 'empty' | 'html' | 'text';
      /** The start of the body, for error messages. */
      snippet: string;
      warnings: WpWarning[];
    };

const SNIPPET_LENGTH = 200;

/** The labels PHP prints for diagnostics (user-level ones share them). */
const PHP_LEVELS =
  '(?:Fatal error|Recoverable fatal error|Catchable fatal error|' +
  'Parse error|Warning|Notice|Deprecated|Strict Standards|Unknown error)';

/**
 * PHP's diagnostic formats, each anchored at the start of what is left.
 * The message part is bounded so a hostile body cannot make matching slow.
 */
const PHP_DIAGNOSTICS = [
  // html_errors=On: <br />\n<b>Warning</b>:  msg in <b>file</b> on line <b>1</b><br />
  new RegExp(
    `^(?:<br\\s*/?>\\s*)?<b>${PHP_LEVELS}</b>:\\s[\\s\\S]{0,4000}?` +
      ' on line <b>\\d+</b>(?:<br\\s*/?>)?',
  ),
  // html_errors=Off: Warning: msg in file on line 1
  new RegExp(
    `^(?:PHP )?${PHP_LEVELS}:\\s[^\\n]{0,4000}? on line \\d+(?=\\s|$)`,
  ),
  // Xdebug's table form.
  /^(?:<br\s*\/?>\s*)?<font size=['"]1['"]>\s*<table class=['"]xdebug-error[\s\S]{0,50000}?<\/table>\s*<\/font>/,
];

/** Leading white space; JavaScript's `\s` includes U+FEFF, the BOM. */
const LEADING_SPACE = /^\s+/;

/**
 * Parses a body as JSON after removing every leading BOM, white space and
 * PHP diagnostic block, reporting what it removed.
 *
 * @example
 * parseWordPressJson('\uFEFF[{"id":5}]');
 * // { ok: true, value: [{ id: 5 }], warnings: [{ code: 'WP_BOM_IN_BODY', … }] }
 */
export function parseWordPressJson(text: string): ParsedBody {
  let rest = text;
  let boms = 0;
  const notices: string[] = [];
  for (;;) {
    const space = LEADING_SPACE.exec(rest);
    if (space) {
      boms += space[0].split('\uFEFF').length - 1;
      rest = rest.slice(space[0].length);
    }
    const notice = matchDiagnostic(rest);
    if (notice === undefined) break;
    notices.push(notice);
    rest = rest.slice(notice.length);
  }

  const warnings = noiseWarnings(boms, notices);
  if (rest === '') {
    return { ok: false, kind: 'empty', snippet: '', warnings };
  }
  try {
    return { ok: true, value: JSON.parse(rest), warnings };
  } catch {
    return {
      ok: false,
      kind: rest.startsWith('<') ? 'html' : 'text',
      snippet: rest.slice(0, SNIPPET_LENGTH),
      warnings,
    };
  }
}

function matchDiagnostic(rest: string): string | undefined {
  for (const pattern of PHP_DIAGNOSTICS) {
    const match = pattern.exec(rest);
    if (match) return match[0];
  }
  return undefined;
}

function noiseWarnings(boms: number, notices: string[]): WpWarning[] {
  const warnings: WpWarning[] = [];
  if (boms > 0) {
    warnings.push({
      code: 'WP_BOM_IN_BODY',
      message:
        `The response starts with ${boms} byte-order mark(s): a PHP file ` +
        'of the site (often wp-config.php or a theme file) was saved with ' +
        'a BOM. They were ignored.',
    });
  }
  if (notices.length > 0) {
    const text = notices
      .join(' ')
      .replace(/<[^>]*>/g, '')
      .replace(/\s+/g, ' ')
      .trim();
    warnings.push({
      code: 'WP_PHP_NOTICE_IN_BODY',
      message:
        `PHP printed ${notices.length} diagnostic(s) before the JSON; ` +
        `turn display_errors off on the site. First: ${text.slice(0, SNIPPET_LENGTH)}`,
    });
  }
  return warnings;
}
