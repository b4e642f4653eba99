import { describe, expect, it } from 'vitest';
import { WordPressError } from '../../../shared/errors.js';
import {
  classifyAddress,
  createSsrfGuard,
  guardedHttpOptions,
} from '../../../shared/http/ssrf-guard.js';

const strict = createSsrfGuard({ allowLocalOrigins: false });
const local = createSsrfGuard({ allowLocalOrigins: true });

/** The WordPressError a check throws; fails the test when none is thrown. */
function refusalOf(check: () => unknown): WordPressError {
  try {
    check();
  } catch (error) {
    expect(error).toBeInstanceOf(WordPressError);
    return error as WordPressError;
  }
  return expect.unreachable('the check should have refused');
}

/** Internal addresses as a URL host, the address shown, class and phrase. */
const INTERNAL_HOSTS = [
  ['127.0.0.1', '127.0.0.1', 'loopback', 'a loopback address'],
  ['127.1', '127.0.0.1', 'loopback', 'a loopback address'],
  ['2130706433', '127.0.0.1', 'loopback', 'a loopback address'],
  ['0177.0.0.1', '127.0.0.1', 'loopback', 'a loopback address'],
  ['0x7f000001', '127.0.0.1', 'loopback', 'a loopback address'],
  ['0x7f.1', '127.0.0.1', 'loopback', 'a loopback address'],
  ['127.0.0.1.', '127.0.0.1', 'loopback', 'a loopback address'],
  ['１２７.０.０.１', '127.0.0.1', 'loopback', 'a loopback address'],
  ['0.0.0.0', '0.0.0.0', 'unspecified', 'an unspecified'],
  ['0', '0.0.0.0', 'unspecified', 'an unspecified'],
  ['10.0.0.1', '10.0.0.1', 'private', 'a private address'],
  ['172.16.0.1', '172.16.0.1', 'private', 'a private address'],
  ['172.31.255.255', '172.31.255.255', 'private', 'a private address'],
  ['192.168.1.1', '192.168.1.1', 'private', 'a private address'],
  ['169.254.169.254', '169.254.169.254', 'cloud-metadata', 'a cloud metadata'],
  ['169.254.170.2', '169.254.170.2', 'cloud-metadata', 'a cloud metadata'],
  ['169.254.1.1', '169.254.1.1', 'link-local', 'a link-local address'],
  ['100.64.0.1', '100.64.0.1', 'shared', 'a shared (carrier-grade NAT)'],
  ['224.0.0.1', '224.0.0.1', 'multicast', 'a multicast address'],
  ['240.0.0.1', '240.0.0.1', 'reserved', 'a reserved address'],
  ['255.255.255.255', '255.255.255.255', 'broadcast', 'the broadcast'],
  ['192.0.2.1', '192.0.2.1', 'documentation', 'a documentation address'],
  ['198.18.0.1', '198.18.0.1', 'benchmarking', 'a benchmarking address'],
  ['[::1]', '::1', 'loopback', 'a loopback address'],
  ['[::]', '::', 'unspecified', 'an unspecified'],
  ['[fc00::1]', 'fc00::1', 'unique-local', 'a unique-local address'],
  ['[fd12::1]', 'fd12::1', 'unique-local', 'a unique-local address'],
  ['[fe80::1]', 'fe80::1', 'link-local', 'a link-local address'],
  ['[ff02::1]', 'ff02::1', 'multicast', 'a multicast address'],
  ['[fd00:ec2::254]', 'fd00:ec2::254', 'cloud-metadata', 'a cloud metadata'],
  ['[2001:db8::1]', '2001:db8::1', 'documentation', 'a documentation'],
  ['[100::1]', '100::1', 'reserved', 'a reserved address'],
  ['[::ffff:10.0.0.1]', '::ffff:a00:1', 'private', 'a private address'],
  ['[::ffff:0a00:0001]', '::ffff:a00:1', 'private', 'a private address'],
  ['[::ffff:7f00:1]', '::ffff:7f00:1', 'loopback', 'a loopback address'],
  ['[::ffff:0:10.0.0.1]', '::ffff:0:a00:1', 'private', 'a private address'],
  ['[::10.0.0.1]', '::a00:1', 'private', 'a private address'],
  ['[64:ff9b::a00:1]', '64:ff9b::a00:1', 'private', 'a private address'],
  [
    '[64:ff9b::169.254.169.254]',
    '64:ff9b::a9fe:a9fe',
    'cloud-metadata',
    'a cloud metadata',
  ],
  ['[64:ff9b:1::1]', '64:ff9b:1::1', 'local-nat64', 'a local-use NAT64'],
  ['[2002:0a00:0001::1]', '2002:a00:1::1', 'private', 'a private address'],
  ['[2001:0:4136:e378::1]', '2001:0:4136:e378::1', 'teredo', 'a Teredo'],
] as const;

describe('createSsrfGuard', () => {
  describe('checkUrl outside local mode', () => {
    it.each(INTERNAL_HOSTS)(
      'refuses https://%s/ as %s (%s)',
      (host, address, addressClass, phrase) => {
        // Prepare
        const url = new URL(`https://${host}/wp-json/`);

        // Act
        const error = refusalOf(() => strict.checkUrl(url));

        // Assess
        expect(error.code).toBe('WP_URL_NOT_ALLOWED');
        expect(error.retryable).toBe(false);
        expect(error.context.reason).toBe(addressClass);
        expect(error.context.address).toBe(address);
        expect(error.message).toContain(`${address}`);
        expect(error.message).toContain(phrase);
        expect(error.message).toContain('which is not allowed');
      },
    );

    it('names the IPv4 address an IPv6 address carries', () => {
      // Prepare
      const url = new URL('https://[64:ff9b::10.1.2.3]/');

      // Act
      const error = refusalOf(() => strict.checkUrl(url));

      // Assess
      expect(error.message).toContain('(NAT64 10.1.2.3), a private address');
      expect(error.context.embeddedIpv4).toBe('10.1.2.3');
    });

    it('refuses plain http, naming the local runtime as the exception', () => {
      // Prepare
      const url = new URL('http://example.com/');

      // Act
      const error = refusalOf(() => strict.checkUrl(url));

      // Assess
      expect(error.code).toBe('WP_URL_NOT_ALLOWED');
      expect(error.context.reason).toBe('scheme');
      expect(error.message).toContain('https');
      expect(error.message).toContain('local runtime only');
    });

    it('reports the address class of an http URL before its scheme', () => {
      // Prepare
      const url = new URL('http://2130706433/');

      // Act
      const error = refusalOf(() => strict.checkUrl(url));

      // Assess
      expect(error.context.reason).toBe('loopback');
      expect(error.message).toContain('127.0.0.1, a loopback address');
    });

    it('refuses a scheme other than http and https', () => {
      // Prepare
      const url = new URL('ftp://example.com/');

      // Act
      const error = refusalOf(() => strict.checkUrl(url));

      // Assess
      expect(error.context.reason).toBe('scheme');
      expect(error.message).toContain('ftp:');
    });

    it.each([
      'https://alice:s3cret@example.com/',
      'https://alice@example.com/',
      'https://:s3cret@example.com/',
    ])('refuses the userinfo in %s without echoing it', (text) => {
      // Prepare
      const url = new URL(text);

      // Act
      const error = refusalOf(() => strict.checkUrl(url));

      // Assess
      expect(error.context.reason).toBe('credentials');
      expect(error.context.url).toBe('https://example.com');
      expect(error.message).not.toMatch(/alice|s3cret/);
    });

    it.each([
      ['localhost', 'loopback-name'],
      ['LocalHost.', 'loopback-name'],
      ['%6c%6fcalhost', 'loopback-name'],
      ['wp.localhost', 'loopback-name'],
      ['metadata.google.internal', 'cloud-metadata-name'],
      ['metadata.google.internal.', 'cloud-metadata-name'],
      ['db.internal', 'internal-name'],
      ['printer.local', 'internal-name'],
      ['nas.home.arpa', 'internal-name'],
      ['metadata', 'single-label-name'],
      ['intranet.', 'single-label-name'],
    ])('refuses the host name %s as %s', (host, reason) => {
      // Prepare
      const url = new URL(`https://${host}/`);

      // Act
      const error = refusalOf(() => strict.checkUrl(url));

      // Assess
      expect(error.code).toBe('WP_URL_NOT_ALLOWED');
      expect(error.context.reason).toBe(reason);
      expect(error.message).toContain(url.hostname);
    });

    it.each([
      'https://93.184.216.34/',
      'https://[2606:4700::1111]/',
      'https://example.com/',
      'https://example.com./wp-json/',
      'https://example.com:8443/',
      'https://[::ffff:93.184.216.34]/',
      'https://[64:ff9b::93.184.216.34]/',
      'https://[2002:5db8:d822::1]/',
    ])('allows %s', (text) => {
      // Prepare
      const url = new URL(text);

      // Act
      const check = () => strict.checkUrl(url);

      // Assess
      expect(check).not.toThrow();
    });
  });

  describe('checkAddress outside local mode', () => {
    const site = new URL('https://wp.example.com/');

    it('says which address a host name resolves to and its class', () => {
      // Act
      const error = refusalOf(() => strict.checkAddress(site, '10.0.0.1'));

      // Assess
      expect(error.message).toBe(
        'wp.example.com resolves to 10.0.0.1, a private address, ' +
          'which is not allowed.',
      );
      expect(error.context).toEqual({
        url: 'https://wp.example.com',
        reason: 'private',
        address: '10.0.0.1',
        embeddedIpv4: undefined,
      });
    });

    it.each([
      ['127.0.0.1', 'loopback', ', a loopback address, which'],
      ['::1', 'loopback', ', a loopback address, which'],
      ['169.254.169.254', 'cloud-metadata', ', a cloud metadata address'],
      ['::ffff:0a00:0001', 'private', ' (IPv4-mapped 10.0.0.1), a private'],
      ['fe80::1%eth0', 'link-local', ', a link-local address'],
      ['2606:4700::1111%eth0', 'scoped', ', an address with a zone id'],
      ['::8.8.8.8', 'ipv4-compatible', ' (IPv4-compatible 8.8.8.8), a dep'],
      ['wp.example.com', 'not-an-address', ', not an IP address'],
      ['010.0.0.1', 'not-an-address', ', not an IP address'],
    ])('refuses the DNS answer %s as %s', (address, reason, note) => {
      // Act
      const error = refusalOf(() => strict.checkAddress(site, address));

      // Assess
      expect(error.code).toBe('WP_URL_NOT_ALLOWED');
      expect(error.context.reason).toBe(reason);
      expect(error.message).toContain(
        `wp.example.com resolves to ${address}${note}`,
      );
    });

    it.each([
      '93.184.216.34',
      '2606:4700::1111',
      '::ffff:93.184.216.34',
      '64:ff9b::5db8:d822',
    ])('allows the public DNS answer %s', (address) => {
      // Act
      const check = () => strict.checkAddress(site, address);

      // Assess
      expect(check).not.toThrow();
    });
  });

  describe('in local mode', () => {
    it.each([
      ['http://127.0.0.1:8089/', '127.0.0.1'],
      ['http://127.0.0.2:8089/', '127.0.0.2'],
      ['http://[::1]:8089/', '::1'],
      ['http://localhost:8089/', '::1'],
      ['http://localhost:8089/', '::ffff:127.0.0.1'],
      ['http://wordpress:8089/', '127.0.0.1'],
      ['https://example.com/', '93.184.216.34'],
    ])('allows %s answered by %s', (text, address) => {
      // Prepare
      const url = new URL(text);

      // Act
      const check = () => {
        local.checkUrl(url);
        local.checkAddress(url, address);
      };

      // Assess
      expect(check).not.toThrow();
    });

    it.each([
      ['http://10.0.0.1:8089/', 'private'],
      ['http://0.0.0.0:8089/', 'unspecified'],
      ['http://169.254.169.254/', 'cloud-metadata'],
      ['http://[fd00:ec2::254]/', 'cloud-metadata'],
      ['http://[fe80::1]/', 'link-local'],
      ['http://[::ffff:192.168.1.1]/', 'private'],
      ['http://[64:ff9b::7f00:1]/', 'loopback'],
      ['http://[::127.0.0.1]/', 'loopback'],
      ['http://metadata.google.internal/', 'cloud-metadata-name'],
      ['http://wp.internal/', 'internal-name'],
      ['http://user:pass@127.0.0.1:8089/', 'credentials'],
      ['file:///etc/passwd', 'scheme'],
    ])('still refuses %s as %s', (text, reason) => {
      // Prepare
      const url = new URL(text);

      // Act
      const error = refusalOf(() => local.checkUrl(url));

      // Assess
      expect(error.code).toBe('WP_URL_NOT_ALLOWED');
      expect(error.context.reason).toBe(reason);
    });

    it('refuses a loopback answer that carries a zone id', () => {
      // Prepare
      const url = new URL('http://localhost:8089/');

      // Act
      const error = refusalOf(() => local.checkAddress(url, '::1%lo'));

      // Assess
      expect(error.context.reason).toBe('loopback');
    });
  });
});

describe('classifyAddress', () => {
  it('decodes the inverted client address of a Teredo address', () => {
    // Prepare: the client 192.0.2.45 is stored as its complement.
    const client = [192, 0, 2, 45];
    const inverted = client.map((octet) => octet ^ 0xff);
    const hex = (a = 0, b = 0) => ((a << 8) | b).toString(16);
    const address =
      `2001:0:4136:e378:8000:63bf:${hex(inverted[0], inverted[1])}:` +
      hex(inverted[2], inverted[3]);

    // Act
    const verdict = classifyAddress(address);

    // Assess
    expect(verdict.addressClass).toBe('teredo');
    expect(verdict.embedded).toEqual({
      ipv4: client.join('.'),
      via: 'Teredo',
    });
  });

  it('leaves a public address without a class', () => {
    // Act
    const verdict = classifyAddress('2606:4700::1111');

    // Assess
    expect(verdict).toEqual({ zoned: false });
  });
});

describe('guardedHttpOptions', () => {
  it('gives a URL guard and a connection guard that apply the policy', async () => {
    // Prepare
    const options = guardedHttpOptions({ allowLocalOrigins: false });
    const site = new URL('https://example.com/');

    // Act
    const publicAnswer = await options.guard(site, '93.184.216.34');
    const privateAnswer = refusalOf(() => options.guard(site, '10.0.0.1'));
    const loopbackName = refusalOf(() =>
      options.urlGuard(new URL('https://localhost/')),
    );

    // Assess
    expect(publicAnswer).toBe(true);
    expect(privateAnswer.context.reason).toBe('private');
    expect(loopbackName.context.reason).toBe('loopback-name');
  });

  it('repeats the URL checks in the connection guard', () => {
    // Prepare: wired without urlGuard, http must still be refused.
    const { guard } = guardedHttpOptions({ allowLocalOrigins: false });

    // Act
    const error = refusalOf(() =>
      guard(new URL('http://example.com/'), '93.184.216.34'),
    );

    // Assess
    expect(error.context.reason).toBe('scheme');
  });
});
