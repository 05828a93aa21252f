import { describe, expect, it } from 'vitest';
import { wellFormedHost } from '../../src/http/hostHeader';

describe('wellFormedHost', () => {
  it.each(['localhost', 'localhost:4000', 'Exports.Example.COM', '127.0.0.1:8080', '[::1]:4000', '[2001:db8::1]'])('accepts %s', (host) => {
    expect(wellFormedHost(host)).toBe(true);
  });

  it.each([undefined, '', 'evil.com/path', 'a.com:80@b.com', 'http://a.com', 'a.com:123456', 'a.com; script-src *', 'a b', '[::1'])(
    'refuses %s',
    (host) => {
      expect(wellFormedHost(host)).toBe(false);
    },
  );
});
