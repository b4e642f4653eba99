import { describe, expect, it } from 'vitest';
import {
  decodeEntities,
  deriveGmt,
  htmlToPlainText,
  normalizeAcf,
  normalizeMediaDetails,
  normalizeMeta,
  parseWpDate,
} from '../../../shared/wordpress/normalize.js';
import {
  ACF_BODY,
  DATES_BODY,
  MEDIA_DETAILS_BODY,
  TERM_ENTITIES_BODY,
  TITLE_ENTITIES,
} from './support/cases.js';

type Row = Record<string, unknown>;
const [termRow] = JSON.parse(TERM_ENTITIES_BODY) as Row[];
const [draftRow, zeroRow] = JSON.parse(DATES_BODY) as Row[];
const [emptyAcfRow, falseAcfRow] = JSON.parse(ACF_BODY) as Row[];
const [pdfRow, videoRow] = JSON.parse(MEDIA_DETAILS_BODY) as Row[];

describe('decodeEntities', () => {
  it('decodes the term name of the case', () => {
    // Act
    const name = decodeEntities(String(termRow?.name));

    // Assess
    expect(name).toBe('Arts & Culture');
  });

  it('decodes the texturized title of the case', () => {
    // Act
    const title = decodeEntities(TITLE_ENTITIES);

    // Assess
    expect(title).toBe('Tom\u2019s \u201cGuide\u201d & more');
  });

  it('decodes hex, HTML5 names and C1 references the way HTML does', () => {
    // Act
    const text = decodeEntities(
      '&#x2014; &hellip; &nbsp; &NotEqualTilde; &#150; &apos; &#0; &#8217',
    );

    // Assess
    expect(text).toBe(
      "\u2014 \u2026 \u00a0 \u2242\u0338 \u2013 ' \ufffd \u2019",
    );
  });

  it('decodes once and keeps unknown names as written', () => {
    // Act
    const text = decodeEntities('&amp;#038; &notanentity; & alone');

    // Assess
    expect(text).toBe('&#038; &notanentity; & alone');
  });
});

describe('htmlToPlainText', () => {
  it('strips tags, decodes and collapses white space', () => {
    // Act
    const text = htmlToPlainText(
      `<p>${TITLE_ENTITIES}</p>\n<p>Second&nbsp;line <b>bold</b>er</p>`,
    );

    // Assess
    expect(text).toBe('Tom\u2019s \u201cGuide\u201d & more Second line bolder');
  });

  it('drops scripts, styles and comments', () => {
    // Act
    const text = htmlToPlainText(
      '<style>p{x:1}</style><!-- a -->Hi<script>alert(1)</script> there',
    );

    // Assess
    expect(text).toBe('Hi there');
  });

  it('keeps a less-than sign that starts no tag', () => {
    // Act
    const text = htmlToPlainText('1 &lt; 2 and 3 < 4');

    // Assess
    expect(text).toBe('1 < 2 and 3 < 4');
  });
});

describe('parseWpDate', () => {
  it('reads the GMT date of the case as ISO 8601 UTC', () => {
    // Act
    const modified = parseWpDate(draftRow?.modified_gmt);

    // Assess
    expect(modified).toBe('2024-03-01T08:20:00Z');
  });

  it('treats null, empty and zero dates of the case as unknown', () => {
    // Act
    const values = [
      draftRow?.date_gmt,
      '',
      zeroRow?.date,
      zeroRow?.date_gmt,
    ].map(parseWpDate);

    // Assess
    expect(values).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('rejects impossible dates and non-strings instead of rolling over', () => {
    // Act
    const values = [
      '2024-02-30T10:00:00',
      '2024-13-01T00:00:00',
      '0000-00-00 00:00:00',
      0,
      1700000000,
      'yesterday',
    ].map(parseWpDate);

    // Assess
    expect(values.every((value) => value === undefined)).toBe(true);
  });

  it('accepts a space separator and converts explicit offsets', () => {
    // Act
    const spaced = parseWpDate('2019-07-04 08:00:00');
    const zoned = parseWpDate('2019-07-04T10:00:00+02:00');

    // Assess
    expect(spaced).toBe('2019-07-04T08:00:00Z');
    expect(zoned).toBe('2019-07-04T08:00:00Z');
  });
});

describe('deriveGmt', () => {
  it('derives the GMT time of the case from local time and offset', () => {
    // Prepare: the case's draft: local 09:20, GMT 08:20, so offset +1.
    const offset = 1;

    // Act
    const derived = deriveGmt(draftRow?.modified, offset);

    // Assess
    expect(derived).toBe(parseWpDate(draftRow?.modified_gmt));
  });

  it('handles fractional and negative offsets', () => {
    // Act
    const india = deriveGmt('2024-01-01T05:30:00', 5.5);
    const newYork = deriveGmt('2023-12-31T19:00:00', -5);

    // Assess
    expect(india).toBe('2024-01-01T00:00:00Z');
    expect(newYork).toBe('2024-01-01T00:00:00Z');
  });

  it('stays unknown for an unknown local time', () => {
    // Act
    const derived = deriveGmt(zeroRow?.date, 2);

    // Assess
    expect(derived).toBeUndefined();
  });
});

describe('normalizeAcf', () => {
  it('turns the empty acf and meta of the case into objects', () => {
    // Act
    const acf = normalizeAcf(emptyAcfRow?.acf);
    const meta = normalizeMeta(emptyAcfRow?.meta);

    // Assess
    expect(acf).toEqual({});
    expect(meta).toEqual({});
  });

  it('turns false, null and empty text at the top into {}', () => {
    // Act
    const values = [false, null, '', undefined].map((value) =>
      normalizeAcf(value),
    );

    // Assess
    expect(values).toEqual([{}, {}, {}, {}]);
  });

  it("keeps the case's values as sent when no field type is known", () => {
    // Act: `false` may be an empty image or a true/false field's answer.
    const acf = normalizeAcf(falseAcfRow?.acf);

    // Assess
    expect(acf).toEqual(falseAcfRow?.acf);
  });

  it('uses field types when given', () => {
    // Prepare
    const types = {
      hero_image: 'image',
      gallery: 'gallery',
      related: 'relationship',
      subtitle: 'text',
    };

    // Act
    const acf = normalizeAcf(falseAcfRow?.acf, types);

    // Assess
    expect(acf).toEqual({
      hero_image: null,
      gallery: [],
      related: [],
      subtitle: '',
    });
  });

  it('keeps untyped values inside groups and repeater rows as sent', () => {
    // Act
    const acf = normalizeAcf({
      rows: [{ link: false, caption: 'x', meta: [] }],
      group: { image: false, inner: false },
    });

    // Assess
    expect(acf).toEqual({
      rows: [{ link: false, caption: 'x', meta: [] }],
      group: { image: false, inner: false },
    });
  });

  it('gives the same result for the empty forms, so syncs do not flip', () => {
    // Act
    const forms = [[], false, null, {}].map((value) => normalizeAcf(value));

    // Assess
    expect(new Set(forms.map((form) => JSON.stringify(form))).size).toBe(1);
  });
});

describe('normalizeMediaDetails', () => {
  it('turns the PDF case [] into an object with sizes', () => {
    // Act
    const details = normalizeMediaDetails(pdfRow?.media_details);

    // Assess
    expect(details).toEqual({ sizes: {} });
  });

  it('keeps the video case keys and adds sizes', () => {
    // Act
    const details = normalizeMediaDetails(videoRow?.media_details);

    // Assess
    expect(details).toEqual({ filesize: 1048576, length: 12, sizes: {} });
  });

  it('drops size entries that are not objects and fixes empty image_meta', () => {
    // Prepare: the older form, with sizes [] in one place and junk in another.
    const value = {
      width: 10,
      sizes: { thumb: { file: 't.jpg' }, broken: false },
      image_meta: [],
    };

    // Act
    const details = normalizeMediaDetails(value);
    const legacy = normalizeMediaDetails({ sizes: [] });

    // Assess
    expect(details).toEqual({
      width: 10,
      sizes: { thumb: { file: 't.jpg' } },
      image_meta: {},
    });
    expect(legacy).toEqual({ sizes: {} });
  });

  it('treats null as empty', () => {
    // Act
    const details = normalizeMediaDetails(null);

    // Assess
    expect(details).toEqual({ sizes: {} });
  });
});
