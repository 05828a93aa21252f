/** Which Hosts are served without verification: those no site can point here (rebindingGuard.ts). */
import { describe, expect, it } from 'vitest';
import { servesHostWithoutVerification } from '../../src/http/rebindingGuard';

const none = { publicUrl: undefined, listenHost: undefined };

describe('servesHostWithoutVerification', () => {
  it.each(['localhost:4000', 'LOCALHOST', 'app.localhost:3000', 'localhost.:4000', '127.0.0.1:4000', '[::1]:4000', '10.0.0.7'])(
    'serves %s, which no site can rebind',
    (host) => {
      expect(servesHostWithoutVerification(host, none)).toBe(true);
    },
  );

  it.each(['attacker.example:4000', 'localhost.attacker.example', '127.0.0.1.attacker.example', 'devbox.lan:4000', 'a b', 'evil.com/x'])(
    'refuses %s with no name given',
    (host) => {
      expect(servesHostWithoutVerification(host, none)).toBe(false);
    },
  );

  it("serves PUBLIC_URL's host and HOST's name, each on any port, and no other name", () => {
    const own = { publicUrl: 'https://exports.example.com/base', listenHost: 'Devbox.lan' };
    for (const host of ['exports.example.com', 'exports.example.com.:443', 'devbox.lan:4000', 'DEVBOX.LAN', 'devbox.lan.']) {
      expect(servesHostWithoutVerification(host, own), host).toBe(true);
    }
    for (const host of ['example.com', 'lan:4000', 'devbox.lan.attacker.example', 'sub.devbox.lan']) {
      expect(servesHostWithoutVerification(host, own), host).toBe(false);
    }
  });

  it('gives nothing more for a HOST that is an address to listen on, not a name', () => {
    for (const listenHost of ['0.0.0.0', '::', '127.0.0.1']) {
      expect(servesHostWithoutVerification('attacker.example', { publicUrl: undefined, listenHost })).toBe(false);
    }
  });
});
