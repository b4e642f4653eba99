import { describe, expect, it } from 'vitest';
import { parseWordPressJson } from '../../../shared/wordpress/body.js';
import { BOM_PREFIX, PHP_NOTICE_BEFORE_JSON } from './support/cases.js';

function bodyOf(message: string): string {
  return message.slice(message.indexOf('\n\n') + 2);
}

describe('parseWordPressJson', () => {
  it('parses the BOM case and warns WP_BOM_IN_BODY', () => {
    // Prepare
    const body = bodyOf(BOM_PREFIX);

    // Act
    const parsed = parseWordPressJson(body);

    // Assess
    expect(parsed).toMatchObject({
      ok: true,
      value: JSON.parse(body.slice(1)),
    });
    expect(parsed.warnings.map((warning) => warning.code)).toEqual([
      'WP_BOM_IN_BODY',
    ]);
  });

  it('strips every BOM, also ones separated by white space', () => {
    // Prepare: three included files saved with a BOM, one newline each.
    const body = '\uFEFF\n\uFEFF \uFEFF\r\n[{"id":5}]';

    // Act
    const parsed = parseWordPressJson(body);

    // Assess
    expect(parsed).toMatchObject({ ok: true, value: [{ id: 5 }] });
    expect(parsed.warnings[0]?.message).toContain('3 byte-order mark');
  });

  it('strips the PHP notice of the case and warns WP_PHP_NOTICE_IN_BODY', () => {
    // Prepare
    const body = bodyOf(PHP_NOTICE_BEFORE_JSON);
    const json = body.slice(body.indexOf('[{'));

    // Act
    const parsed = parseWordPressJson(body);

    // Assess
    expect(parsed).toMatchObject({ ok: true, value: JSON.parse(json) });
    const warning = parsed.warnings.find(
      (entry) => entry.code === 'WP_PHP_NOTICE_IN_BODY',
    );
    expect(warning?.message).toContain('Deprecated: strlen()');
    expect(warning?.message).not.toContain('<b>');
  });

  it('strips several notices in both PHP formats after a BOM', () => {
    // Prepare: html_errors on, then off (plain text), as php.ini may say.
    const body =
      '\uFEFF<br />\n<b>Warning</b>:  Undefined array key "x" in ' +
      '<b>/srv/a.php</b> on line <b>3</b><br />\n' +
      '\nNotice: Function _load_textdomain_just_in_time was called ' +
      'incorrectly. in /srv/wp-includes/functions.php on line 6114\n' +
      '{"id":1}';

    // Act
    const parsed = parseWordPressJson(body);

    // Assess
    expect(parsed).toMatchObject({ ok: true, value: { id: 1 } });
    expect(parsed.warnings.map((warning) => warning.code)).toEqual([
      'WP_BOM_IN_BODY',
      'WP_PHP_NOTICE_IN_BODY',
    ]);
    expect(parsed.warnings[1]?.message).toContain('2 diagnostic');
  });

  it('does not strip HTML that is not PHP diagnostic markup', () => {
    // Prepare: a theme banner is not a notice; the body is not JSON.
    const body = '<p>Site notice</p>[{"id":1}]';

    // Act
    const parsed = parseWordPressJson(body);

    // Assess
    expect(parsed).toMatchObject({ ok: false, kind: 'html' });
  });

  it('rejects a notice followed by something that is not complete JSON', () => {
    // Prepare
    const body = `${bodyOf(PHP_NOTICE_BEFORE_JSON)}<br />trailing`;

    // Act
    const parsed = parseWordPressJson(body);

    // Assess
    expect(parsed.ok).toBe(false);
  });

  it('reports an empty body as empty', () => {
    // Act
    const parsed = parseWordPressJson(' \uFEFF\n');

    // Assess
    expect(parsed).toMatchObject({ ok: false, kind: 'empty' });
  });
});
