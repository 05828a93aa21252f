/** Which addresses a webhook URL may be sent to, by its scheme and WEBHOOK_ALLOW_PRIVATE. */
import { describe, expect, it } from 'vitest';
import { refusedTarget } from '../../src/webhooks/webhookTarget';

const PUBLIC = '93.184.215.14';
const HTTP_TO_PUBLIC = /^a public address, which only https may be sent to/;

describe('refusedTarget', () => {
  it.each([
    // address, protocol, allowPrivate, refused (null: allowed)
    [PUBLIC, 'https:', false, null],
    [PUBLIC, 'https:', true, null],
    ['2606:2800:220:1::1', 'https:', true, null],
    [PUBLIC, 'http:', true, HTTP_TO_PUBLIC],
    ['::ffff:93.184.215.14', 'http:', true, HTTP_TO_PUBLIC],
    ['127.0.0.1', 'https:', false, /^not a public address \(loopback\)$/],
    ['127.0.0.1', 'http:', true, null],
    ['::1', 'http:', true, null],
    ['10.0.0.1', 'http:', true, null],
    ['192.168.1.1', 'https:', true, null],
    ['fd00::1', 'http:', true, null],
    ['::ffff:10.1.2.3', 'http:', true, null],
    ['169.254.169.254', 'http:', true, /^not a public, loopback or private address \(linkLocal\)$/],
    ['169.254.169.254', 'https:', true, /\(linkLocal\)$/],
    ['fe80::1', 'http:', true, /\(linkLocal\)$/],
    ['100.64.0.1', 'http:', true, /\(carrierGradeNat\)$/],
    ['0.0.0.0', 'http:', true, /\(unspecified\)$/],
    ['224.0.0.251', 'https:', true, /\(multicast\)$/],
  ] as const)('%s over %s with allowPrivate %s: %s', (address, protocol, allowPrivate, refused) => {
    const reason = refusedTarget(address, protocol, allowPrivate);
    if (refused === null) expect(reason).toBeNull();
    else expect(reason).toMatch(refused);
  });
});
