/**
 * Which URLs and addresses a tenant's site URL may make our workers reach.
 *
 * Tenants choose the URL and share the deployment, so the host name, every
 * DNS answer and every redirect hop is judged here before a connection is
 * opened. IPv6 forms that carry an IPv4 address are unwrapped first, so
 * `::ffff:10.0.0.1` is as private as `10.0.0.1`.
 */
import net from 'node:net';
import { WordPressError } from '../errors.js';
import type { ConnectionGuard, UrlGuard } from './outbound.js';

/** What a deployment lets its workers reach. */
export interface SsrfPolicy {
  /**
   * Also allow plain http and loopback addresses, so a developer can sync
   * their own WordPress at `http://127.0.0.1:8089`. The local runtime only.
   */
  allowLocalOrigins: boolean;
}

/** The checks of one policy; each throws `WP_URL_NOT_ALLOWED` to refuse. */
export interface SsrfGuard {
  /** Checks scheme, credentials and host of a URL, before any DNS. */
  checkUrl(url: URL): void;
  /**
   * Checks the address a connection for `url` is about to use. The family
   * is read from the address itself, so a resolver cannot mislabel it.
   */
  checkAddress(url: URL, address: string): void;
}

/** Why an address may not be reached; `undefined` means it is public. */
export type AddressClass =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'shared'
  | 'link-local'
  | 'cloud-metadata'
  | 'unique-local'
  | 'site-local'
  | 'multicast'
  | 'broadcast'
  | 'reserved'
  | 'documentation'
  | 'benchmarking'
  | 'protocol-assignment'
  | 'teredo'
  | 'local-nat64'
  | 'ipv4-compatible'
  | 'scoped'
  | 'not-an-address';

/** How an IPv6 address carries an IPv4 one. */
export type Embedding =
  | 'IPv4-mapped'
  | 'IPv4-translated'
  | 'IPv4-compatible'
  | 'NAT64'
  | '6to4'
  | 'Teredo';

/** The verdict on one address. */
export interface AddressVerdict {
  /** Why it is refused; absent for a public address. */
  addressClass?: AddressClass;
  /** The IPv4 address inside an IPv6 one, and how it is carried. */
  embedded?: { ipv4: string; via: Embedding };
  /** Whether the address named a zone (`fe80::1%eth0`). */
  zoned: boolean;
}

const DESCRIPTIONS: Record<AddressClass, string> = {
  unspecified: 'an unspecified ("this network") address',
  loopback: 'a loopback address',
  private: 'a private address',
  shared: 'a shared (carrier-grade NAT) address',
  'link-local': 'a link-local address',
  'cloud-metadata': 'a cloud metadata address',
  'unique-local': 'a unique-local address',
  'site-local': 'a site-local address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  reserved: 'a reserved address',
  documentation: 'a documentation address',
  benchmarking: 'a benchmarking address',
  'protocol-assignment': 'an IETF protocol assignment address',
  teredo: 'a Teredo tunnel address',
  'local-nat64': 'a local-use NAT64 address',
  'ipv4-compatible': 'a deprecated IPv4-compatible address',
  scoped: 'an address with a zone id',
  'not-an-address': 'not an IP address',
};

type Ranges = readonly (readonly [AddressClass, readonly string[]])[];

// The first matching row names the class, so the narrow rows come first.
const IPV4_RANGES: Ranges = [
  ['cloud-metadata', ['169.254.169.254/32', '169.254.170.2/32']],
  // EKS Pod Identity serves credentials here.
  ['cloud-metadata', ['169.254.170.23/32']],
  ['broadcast', ['255.255.255.255/32']],
  ['unspecified', ['0.0.0.0/8']],
  ['loopback', ['127.0.0.0/8']],
  ['private', ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']],
  ['shared', ['100.64.0.0/10']],
  ['link-local', ['169.254.0.0/16']],
  ['protocol-assignment', ['192.0.0.0/24']],
  ['documentation', ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24']],
  ['benchmarking', ['198.18.0.0/15']],
  ['multicast', ['224.0.0.0/4']],
  // The retired 6to4 relay anycast block, and the old class E.
  ['reserved', ['192.88.99.0/24', '240.0.0.0/4']],
];

const IPV6_RANGES: Ranges = [
  ['cloud-metadata', ['fd00:ec2::254/128', 'fd00:ec2::23/128']],
  ['unspecified', ['::/128']],
  ['loopback', ['::1/128']],
  ['link-local', ['fe80::/10']],
  ['site-local', ['fec0::/10']],
  ['unique-local', ['fc00::/7']],
  ['multicast', ['ff00::/8']],
  ['documentation', ['2001:db8::/32', '3fff::/20']],
  ['benchmarking', ['2001:2::/48']],
  // ORCHID, AMT, AS112 and the rest of the IETF block: no web sites.
  ['protocol-assignment', ['2001::/23']],
];

const IPV4_LISTS = compile(IPV4_RANGES);
const IPV6_LISTS = compile(IPV6_RANGES);

/** All IPv6 unicast routed on the internet lies in 2000::/3. */
const GLOBAL_UNICAST = new net.BlockList();
GLOBAL_UNICAST.addSubnet('2000::', 3, 'ipv6');

/** Names of the instance metadata services, refused with their own reason. */
const CLOUD_METADATA_NAMES = ['metadata.google.internal'];

/** Host name suffixes that only ever name machines inside a network. */
const INTERNAL_SUFFIXES = ['internal', 'local', 'home.arpa', 'localdomain'];

/**
 * Classifies an IP address as the guard sees it.
 *
 * IPv4-mapped (`::ffff:a.b.c.d`), IPv4-translated (`::ffff:0:a.b.c.d`),
 * IPv4-compatible (`::a.b.c.d`), NAT64 (`64:ff9b::/96`) and 6to4
 * (`2002::/16`) addresses are judged by the IPv4 address they carry;
 * a public IPv4-compatible one is still refused, as that form is
 * deprecated. Teredo (`2001::/32`) and local-use NAT64 (`64:ff9b:1::/48`)
 * are always refused: their IPv4 part is obfuscated or has no fixed place.
 *
 * @example
 * classifyAddress('::ffff:a00:1').addressClass; // 'private'
 */
export function classifyAddress(address: string): AddressVerdict {
  const [bare = '', ...zone] = address.split('%');
  const zoned = zone.length > 0;
  const family = net.isIP(bare);
  if (family === 4) return { addressClass: classOf(bare, 'ipv4'), zoned };
  if (family !== 6) return { addressClass: 'not-an-address', zoned };

  const pieces = hextets(bare);
  const embedded = embeddedIpv4(pieces);
  if (embedded?.via === 'Teredo') {
    return { addressClass: 'teredo', embedded, zoned };
  }
  if (embedded) {
    const inner = classOf(embedded.ipv4, 'ipv4');
    const deprecated = embedded.via === 'IPv4-compatible';
    return {
      addressClass: inner ?? (deprecated ? 'ipv4-compatible' : undefined),
      embedded,
      zoned,
    };
  }
  if (pieces[0] === 0x64 && pieces[1] === 0xff9b && pieces[2] === 1) {
    return { addressClass: 'local-nat64', zoned };
  }
  const direct = classOf(bare, 'ipv6');
  if (direct) return { addressClass: direct, zoned };
  const global = GLOBAL_UNICAST.check(bare, 'ipv6');
  return { addressClass: global ? undefined : 'reserved', zoned };
}

/**
 * Builds the checks of a policy.
 *
 * Refused in every mode: credentials in the URL, schemes other than
 * http(s), `.internal`, `.local`, `.home.arpa` and `.localdomain` names,
 * and every address class of `AddressClass` except `loopback`. Outside
 * local mode also plain http, loopback addresses, `localhost` and
 * `*.localhost`, and single-label names (they resolve through internal
 * search domains). Ports are not restricted.
 *
 * @example
 * const guard = createSsrfGuard({ allowLocalOrigins: false });
 * guard.checkUrl(new URL('https://example.com/')); // passes
 * guard.checkAddress(new URL('https://example.com/'), '10.0.0.1'); // throws
 */
export function createSsrfGuard(policy: SsrfPolicy): SsrfGuard {
  const local = policy.allowLocalOrigins;

  const checkAddress = (url: URL, address: string): void => {
    const verdict = classifyAddress(address);
    if (verdict.addressClass === undefined && !verdict.zoned) return;
    if (local && isPlainLoopback(verdict)) return;
    throw addressRefusal(url, address, verdict, local);
  };

  return {
    checkUrl(url) {
      if (url.username !== '' || url.password !== '') {
        throw refusal(
          url,
          'credentials',
          'A URL must not carry a user name or password.',
        );
      }
      // The host goes first: its refusal is the one worth reporting.
      const host = hostOf(url);
      if (net.isIP(host) !== 0) {
        checkAddress(url, host);
      } else {
        checkHostName(url, host, local);
      }
      checkScheme(url, local);
    },
    checkAddress,
  };
}

/**
 * The `OutboundOptions` fields that put `request` under a policy: pass them
 * as `WpClientDeps.http`. The connection guard repeats the URL checks, so
 * it is safe on its own too.
 *
 * @example
 * const deps: WpClientDeps = {
 *   http: guardedHttpOptions({ allowLocalOrigins: false }),
 * };
 */
export function guardedHttpOptions(policy: SsrfPolicy): {
  urlGuard: UrlGuard;
  guard: ConnectionGuard;
} {
  const ssrf = createSsrfGuard(policy);
  return {
    urlGuard: (url) => ssrf.checkUrl(url),
    guard: (url, address) => {
      ssrf.checkUrl(url);
      ssrf.checkAddress(url, address);
      return true;
    },
  };
}

function checkScheme(url: URL, local: boolean): void {
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:') {
    if (local) return;
    throw refusal(
      url,
      'scheme',
      `${url.host} must be reached over https; plain http is allowed in ` +
        'the local runtime only.',
    );
  }
  throw refusal(
    url,
    'scheme',
    `Only https URLs can be fetched, not ${url.protocol}.`,
  );
}

function checkHostName(url: URL, host: string, local: boolean): void {
  // A trailing dot names the same host, so it must not dodge the checks.
  const name = host.replace(/\.+$/, '');
  if (CLOUD_METADATA_NAMES.includes(name)) {
    throw refusal(
      url,
      'cloud-metadata-name',
      `${host} is a cloud metadata host name, which is not allowed.`,
    );
  }
  const loopback = name === 'localhost' || name.endsWith('.localhost');
  if (loopback && !local) {
    throw refusal(
      url,
      'loopback-name',
      `${host} is a loopback host name, which is not allowed; loopback is ` +
        'allowed in the local runtime only.',
    );
  }
  const suffix = INTERNAL_SUFFIXES.find(
    (end) => name === end || name.endsWith(`.${end}`),
  );
  if (suffix) {
    throw refusal(
      url,
      'internal-name',
      `${host} is an internal host name (.${suffix}), which is not allowed.`,
    );
  }
  if (!local && !loopback && !name.includes('.')) {
    throw refusal(
      url,
      'single-label-name',
      `${host} is a single-label host name, which resolves through ` +
        'internal search domains and is not allowed.',
    );
  }
}

function isPlainLoopback(verdict: AddressVerdict): boolean {
  // Only 127/8 and ::1 themselves (and ::ffff:127.x, the same socket);
  // a loopback address reached through a translator is not a local origin.
  return (
    verdict.addressClass === 'loopback' &&
    !verdict.zoned &&
    (verdict.embedded === undefined || verdict.embedded.via === 'IPv4-mapped')
  );
}

function addressRefusal(
  url: URL,
  address: string,
  verdict: AddressVerdict,
  local: boolean,
): WordPressError {
  const addressClass = verdict.addressClass ?? 'scoped';
  const embedded = verdict.embedded
    ? ` (${verdict.embedded.via} ${verdict.embedded.ipv4})`
    : '';
  const lead =
    net.isIP(hostOf(url)) !== 0
      ? 'The URL points at'
      : `${url.hostname} resolves to`;
  const hint =
    addressClass === 'loopback' && !local
      ? '; loopback is allowed in the local runtime only'
      : '';
  return refusal(
    url,
    addressClass,
    `${lead} ${address}${embedded}, ${DESCRIPTIONS[addressClass]}, ` +
      `which is not allowed${hint}.`,
    { address, embeddedIpv4: verdict.embedded?.ipv4 },
  );
}

function refusal(
  url: URL,
  reason: string,
  message: string,
  extra: { address?: string; embeddedIpv4?: string } = {},
): WordPressError {
  return new WordPressError('WP_URL_NOT_ALLOWED', message, {
    // Origin only: the path and query are the tenant's business.
    context: { url: `${url.protocol}//${url.host}`, reason, ...extra },
  });
}

function hostOf(url: URL): string {
  // IPv6 literals keep their brackets in URL.hostname.
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

function classOf(
  address: string,
  family: 'ipv4' | 'ipv6',
): AddressClass | undefined {
  const lists = family === 'ipv4' ? IPV4_LISTS : IPV6_LISTS;
  return lists.find(([, list]) => list.check(address, family))?.[0];
}

function compile(ranges: Ranges): (readonly [AddressClass, net.BlockList])[] {
  return ranges.map(([addressClass, cidrs]) => {
    const list = new net.BlockList();
    for (const cidr of cidrs) {
      const [network = '', prefix = ''] = cidr.split('/');
      const family = net.isIP(network) === 6 ? 'ipv6' : 'ipv4';
      list.addSubnet(network, Number(prefix), family);
    }
    return [addressClass, list] as const;
  });
}

/** The eight 16-bit pieces of a valid IPv6 address. */
function hextets(address: string): number[] {
  // WHATWG URL rewrites every IPv6 spelling (dotted tail, leading zeros,
  // upper case) into one compressed hex form, which is simple to split.
  const canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const [head = '', tail] = canonical.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const gap = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(gap).fill('0'), ...right].map((piece) =>
    Number.parseInt(piece, 16),
  );
}

function embeddedIpv4(
  pieces: number[],
): { ipv4: string; via: Embedding } | undefined {
  const [p0, p1 = 0, p2 = 0, , p4, p5, p6 = 0, p7 = 0] = pieces;
  const zeros = (from: number, to: number) =>
    pieces.slice(from, to).every((piece) => piece === 0);
  const tail = dotted(p6, p7);
  if (zeros(0, 5) && p5 === 0xffff) return { ipv4: tail, via: 'IPv4-mapped' };
  if (zeros(0, 4) && p4 === 0xffff && p5 === 0) {
    return { ipv4: tail, via: 'IPv4-translated' };
  }
  // :: and ::1 are IPv6's own unspecified and loopback addresses.
  if (zeros(0, 6) && (p6 !== 0 || p7 > 1)) {
    return { ipv4: tail, via: 'IPv4-compatible' };
  }
  if (p0 === 0x64 && p1 === 0xff9b && zeros(2, 6)) {
    return { ipv4: tail, via: 'NAT64' };
  }
  if (p0 === 0x2002) return { ipv4: dotted(p1, p2), via: '6to4' };
  if (p0 === 0x2001 && p1 === 0) {
    // Teredo stores the client's IPv4 address with every bit inverted.
    return { ipv4: dotted(~p6 & 0xffff, ~p7 & 0xffff), via: 'Teredo' };
  }
  return undefined;
}

function dotted(high: number, low: number): string {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}
