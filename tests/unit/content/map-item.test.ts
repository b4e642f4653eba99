import { describe, expect, it } from 'vitest';
import { contentHash, localIdFor } from '../../../shared/content/item.js';
import { mapItem } from '../../../shared/content/map-item.js';
import { ValidationError } from '../../../shared/errors.js';

const site = { siteId: 'site_0123456789abcdef01234567', gmtOffset: 1 };

describe('mapItem', () => {
  it('keeps rendered HTML and decodes entities into the plain text', () => {
    // Prepare: wptexturize output as WordPress renders it.
    const raw = {
      id: 7,
      slug: 'fish-chips',
      status: 'publish',
      title: { rendered: '&#8220;Fish &#038; Chips&#8221;' },
      modified_gmt: '2024-02-01T10:00:00',
    };

    // Act
    const item = mapItem('posts', raw, site);

    // Assess
    expect(item.title).toEqual({
      html: raw.title.rendered,
      text: '\u201cFish & Chips\u201d',
    });
  });

  it('prefers the raw title of edit context for the plain text', () => {
    const raw = { id: 8, title: { rendered: 'It&#8217;s', raw: "It's" } };

    expect(mapItem('pages', raw, site).title.text).toBe("It's");
  });

  it('reads an automatic excerpt from its HTML when raw is empty', () => {
    // Prepare: WordPress generates the excerpt; edit context has no raw.
    const raw = {
      id: 9,
      excerpt: { rendered: '<p>Short &amp; sweet</p>', raw: '' },
    };

    // Act
    const item = mapItem('posts', raw, site);

    // Assess
    expect(item.excerpt?.text).toBe('Short & sweet');
  });

  it('decodes HTML-escaped term names', () => {
    const raw = {
      id: 3,
      name: 'Food &amp; Drink',
      slug: 'food-drink',
      parent: 2,
    };

    const term = mapItem('categories', raw, site);

    expect(term.title).toEqual({ html: raw.name, text: 'Food & Drink' });
    expect(term.parent).toEqual({
      type: 'category',
      wpId: 2,
      localId: localIdFor(site.siteId, 'category', 2),
    });
    expect(term.modifiedGmt).toBeUndefined();
  });

  it('reads an empty ACF array or false as no fields', () => {
    // Prepare: acf-empty-array-or-false, both spellings of "no fields".
    const asArray = { id: 12, modified_gmt: '2024-02-01T10:00:00', acf: [] };
    const asFalse = { id: 13, modified_gmt: '2024-02-01T10:00:00', acf: false };

    // Act
    const [first, second] = [
      mapItem('posts', asArray, site),
      mapItem('posts', asFalse, site),
    ];

    // Assess
    expect(first.acf).toEqual({});
    expect(second.acf).toEqual({});
  });

  it('keeps ACF values whose field type is unknown as WordPress sent them', () => {
    // A true/false field's `false` is an answer, not an empty marker.
    const raw = {
      id: 13,
      acf: { featured: false, subtitle: '', rating: 4 },
    };

    expect(mapItem('posts', raw, site).acf).toEqual(raw.acf);
  });

  it('treats zero and null dates as unknown, never as epoch', () => {
    // Prepare: floating-and-zero-dates.
    const draft = {
      id: 88,
      status: 'draft',
      date: '2024-03-01T09:15:00',
      date_gmt: null,
      modified: '2024-03-01T09:20:00',
      modified_gmt: '2024-03-01T08:20:00',
    };
    const zero = {
      id: 89,
      date: '0000-00-00T00:00:00',
      date_gmt: '0000-00-00T00:00:00',
      modified: '2019-07-04T10:00:00',
      modified_gmt: '2019-07-04T08:00:00',
    };

    // Act
    const [floating, broken] = [
      mapItem('posts', draft, site),
      mapItem('posts', zero, site),
    ];

    // Assess: the draft's date is derived from local time and the offset.
    expect(floating.modifiedGmt).toBe('2024-03-01T08:20:00Z');
    expect(floating.dateGmt).toBe('2024-03-01T08:15:00Z');
    expect(broken.dateGmt).toBeUndefined();
    expect(broken.modifiedGmt).toBe('2019-07-04T08:00:00Z');
  });

  it('derives and flags modifiedGmt when WordPress sent none', () => {
    const raw = { id: 90, modified: '2024-03-01T09:20:00', modified_gmt: null };

    const item = mapItem('posts', raw, site);

    expect(item.modifiedGmt).toBe('2024-03-01T08:20:00Z');
    expect(item.modifiedGmtSource).toBe('derived');
  });

  it('reads media details of any shape', () => {
    // Prepare: media-details-shape-varies.
    const pdf = {
      id: 77,
      media_type: 'file',
      mime_type: 'application/pdf',
      media_details: [],
      source_url: 'https://example.test/brochure.pdf',
    };
    const video = {
      id: 78,
      media_type: 'file',
      mime_type: 'video/mp4',
      media_details: { filesize: 1048576, length: 12 },
      source_url: 'https://example.test/clip.mp4',
    };

    // Act
    const [first, second] = [
      mapItem('media', pdf, site),
      mapItem('media', video, site),
    ];

    // Assess
    expect(first.media?.details).toEqual({ sizes: {} });
    expect(first.media?.sourceUrl).toBe(pdf.source_url);
    expect(second.media?.details).toMatchObject(video.media_details);
  });

  it('turns term, media and parent ids into references by local id', () => {
    const raw = { id: 5, categories: [4, 3, 3], tags: [9], featured_media: 77 };

    const post = mapItem('posts', raw, site);

    expect(post.categories?.map((ref) => ref.wpId)).toEqual([3, 4]);
    expect(post.tags?.[0]?.localId).toBe(localIdFor(site.siteId, 'tag', 9));
    expect(post.featuredMedia?.localId).toBe(
      localIdFor(site.siteId, 'media', 77),
    );
  });

  it('gives the same record whatever order WordPress lists terms in', () => {
    // Prepare: terms sorted by name swap when two share a name.
    const first = { id: 92, categories: [6, 7, 9] };
    const again = { id: 92, categories: [7, 6, 9] };

    // Act
    const [a, b] = [
      mapItem('posts', first, site),
      mapItem('posts', again, site),
    ];

    // Assess
    expect(contentHash(a)).toBe(contentHash(b));
  });

  it('refuses an item without a numeric id', () => {
    expect(() => mapItem('posts', { id: 'x' }, site)).toThrow(ValidationError);
  });
});
