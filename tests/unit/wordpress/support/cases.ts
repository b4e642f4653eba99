/**
 * The sample responses of the case files in shared/cases, as HTTP
 * messages (`\n` line ends; `messageBytes` makes them wire bytes). Bodies
 * are copied exactly; `\uFEFF` is the UTF-8 BOM `EF BB BF` on the wire.
 */

export const BOM_PREFIX = `HTTP/1.1 200 OK
Content-Type: application/json; charset=UTF-8
X-WP-Total: 1
X-WP-TotalPages: 1

\uFEFF[{"id":5,"name":"News","slug":"news","parent":0}]`;

export const PHP_NOTICE_BEFORE_JSON = `HTTP/1.1 200 OK
Content-Type: application/json; charset=UTF-8
X-WP-Total: 2
X-WP-TotalPages: 1

<br />
<b>Deprecated</b>:  strlen(): Passing null to parameter #1 ($string) of type string is deprecated in <b>/srv/www/wp-content/plugins/some-plugin/x.php</b> on line <b>12</b><br />
[{"id":11,"modified_gmt":"2024-01-02T03:04:05","title":{"rendered":"Hello"}},{"id":12,"modified_gmt":"2024-01-03T00:00:00","title":{"rendered":"World"}}]`;

export const JSON_LABELLED_HTML = `HTTP/1.1 200 OK
Content-Type: text/html; charset="UTF-8"
X-WP-Total: 1
X-WP-TotalPages: 1
Link: <https://example.test/wp-json/>; rel="https://api.w.org/"

[{"id":1,"modified_gmt":"2024-01-01T00:00:00","title":{"rendered":"Hello world!"}}]`;

export const MAINTENANCE_503 = `HTTP/1.1 503 Service Unavailable
Retry-After: 600
Content-Type: text/html; charset=utf-8

<!DOCTYPE html><html><head><title>Maintenance</title></head><body><p>Briefly unavailable for scheduled maintenance. Check back in a minute.</p></body></html>`;

export const RATE_LIMIT_429 = `HTTP/1.1 429 Too Many Requests
Retry-After: 30
Content-Type: text/html

<html><body><h1>429 Too Many Requests</h1></body></html>`;

export const SINGLE_POST_500 = `HTTP/1.1 500 Internal Server Error
Content-Type: application/json; charset=UTF-8

{"code":"internal_server_error","message":"<p>There has been a critical error on this website.</p>","data":{"status":500},"additional_errors":[]}`;

export const PAGE_PAST_LAST_400 = `HTTP/1.1 400 Bad Request
Content-Type: application/json; charset=UTF-8

{"code":"rest_post_invalid_page_number","message":"The page number requested is larger than the number of pages available.","data":{"status":400}}`;

export const PER_PAGE_REJECTED_400 = `HTTP/1.1 400 Bad Request
Content-Type: application/json; charset=UTF-8

{"code":"rest_invalid_param","message":"Invalid parameter(s): per_page","data":{"status":400,"params":{"per_page":"per_page must be between 1 (inclusive) and 100 (inclusive)"}}}`;

export const PLAIN_PERMALINKS_404 = `HTTP/1.1 404 Not Found
Content-Type: text/html; charset=UTF-8

<!DOCTYPE html><html><head><title>Page not found – Example</title></head><body>…</body></html>`;

export const REST_DISABLED_403 = `HTTP/1.1 403 Forbidden
Content-Type: application/json; charset=UTF-8

{"code":"rest_disabled","message":"REST API disabled.","data":{"status":403}}`;

export const AUTH_STRIPPED_401 = `HTTP/1.1 401 Unauthorized
Content-Type: application/json; charset=UTF-8

{"code":"rest_not_logged_in","message":"You are not currently logged in.","data":{"status":401}}`;

/** The first item of the totals-missing sample; the case elides 99 more. */
export function tagsWithoutTotals(count: number, firstId = 101): string {
  const tags = Array.from({ length: count }, (_, index) => {
    const id = firstId + index;
    const name = `tag-${String(id - 100).padStart(3, '0')}`;
    return `{"id":${id},"name":"${name}","slug":"${name}"}`;
  });
  return `HTTP/1.1 200 OK
Content-Type: application/json; charset=UTF-8

[${tags.join(', ')}]`;
}

export const UNSTABLE_ORDER_PAGES = [
  `HTTP/1.1 200 OK
X-WP-Total: 4
X-WP-TotalPages: 2

[{"id":41,"menu_order":0},{"id":42,"menu_order":0}]`,
  `HTTP/1.1 200 OK
X-WP-Total: 4
X-WP-TotalPages: 2

[{"id":42,"menu_order":0},{"id":44,"menu_order":0}]`,
];

export const MEDIA_DETAILS_BODY = `[{"id":77,"media_type":"file","mime_type":"application/pdf","media_details":[],"source_url":"https://example.test/wp-content/uploads/2024/01/brochure.pdf"},
 {"id":78,"media_type":"file","mime_type":"video/mp4","media_details":{"filesize":1048576,"length":12},"source_url":"https://example.test/wp-content/uploads/2024/01/clip.mp4"}]`;

export const ACF_BODY = `[{"id":12,"modified_gmt":"2024-02-01T10:00:00","meta":[],"acf":[]},
 {"id":13,"modified_gmt":"2024-02-02T10:00:00","acf":{"hero_image":false,"gallery":false,"related":"","subtitle":""}}]`;

export const TERM_ENTITIES_BODY = `[{"id":3,"name":"Arts &amp; Culture","slug":"arts-culture","parent":0}]`;

export const TITLE_ENTITIES = 'Tom&#8217;s &#8220;Guide&#8221; &#038; more';

export const DATES_BODY = `[{"id":88,"status":"draft","date":"2024-03-01T09:15:00","date_gmt":null,"modified":"2024-03-01T09:20:00","modified_gmt":"2024-03-01T08:20:00"},
 {"id":89,"status":"publish","date":"0000-00-00T00:00:00","date_gmt":"0000-00-00T00:00:00","modified":"2019-07-04T10:00:00","modified_gmt":"2019-07-04T08:00:00"}]`;
