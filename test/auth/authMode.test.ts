/** Which mode the server runs in, from the environment, and what it says and binds to without verification. */
import { describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../src/auth/authenticator';
import { loadConfig } from '../../src/config';
import { storageTargets } from '../helpers/databases';
import { NO_AUTH, startTestServer } from '../helpers/testServer';

describe('the authentication mode', () => {
  it('believes the tenant headers and listens on 127.0.0.1 only when no AUTH_* is set', () => {
    const config = loadConfig({});
    expect(config.auth.mode).toBe('none');
    expect(config.host).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
  });

  it('verifies tokens as soon as any AUTH_* names a key set, on every interface', () => {
    const config = loadConfig({
      AUTH_JWKS_URL: 'https://idp.example/jwks.json',
      AUTH_ISSUER: 'https://idp.example/',
      AUTH_AUDIENCE: 'export-jobs-gateway',
    });
    expect(config.auth).toMatchObject({
      mode: 'jwt',
      jwksUrl: 'https://idp.example/jwks.json',
      issuer: 'https://idp.example/',
      audience: 'export-jobs-gateway',
      tenantsClaim: 'tenants',
    });
    expect(config.host).toBeUndefined();
  });

  const KEY_SET = { AUTH_JWKS_URL: 'https://idp.example/jwks.json' };
  it.each([
    ['AUTH_MODE=jwt without a key set', { AUTH_MODE: 'jwt' }, /AUTH_JWKS_URL or AUTH_JWKS_FILE/],
    ['an unknown AUTH_MODE', { AUTH_MODE: 'maybe' }, /AUTH_MODE must be none or jwt/],
    ['a key set URL that is not http(s)', { AUTH_JWKS_URL: 'file:///etc/passwd' }, /AUTH_JWKS_URL must be an https URL/],
    ['a key set but no AUTH_ISSUER', { ...KEY_SET, AUTH_AUDIENCE: 'export-jobs-gateway' }, /^AUTH_MODE=jwt needs AUTH_ISSUER \(the iss every token must carry\)$/],
    ['a key set but no AUTH_AUDIENCE', { ...KEY_SET, AUTH_ISSUER: 'https://idp.example/' }, /^AUTH_MODE=jwt needs AUTH_AUDIENCE \(the aud every token must carry\)$/],
    ['a key set file and neither issuer nor audience', { AUTH_JWKS_FILE: 'jwks.json' }, /needs AUTH_ISSUER .* and AUTH_AUDIENCE/],
    ['AUTH_MODE=jwt and an empty AUTH_ISSUER', { ...KEY_SET, AUTH_MODE: 'jwt', AUTH_ISSUER: '', AUTH_AUDIENCE: 'x' }, /needs AUTH_ISSUER/],
    ['AUTH_MODE=none beside a key set', { ...KEY_SET, AUTH_MODE: 'none', AUTH_ISSUER: 'x', AUTH_AUDIENCE: 'y' }, /^AUTH_MODE=none turns verification off, yet AUTH_JWKS_URL/],
    ['AUTH_MODE=none beside an audience alone', { AUTH_MODE: 'none', AUTH_AUDIENCE: 'y' }, /^AUTH_MODE=none turns verification off/],
  ])('refuses to start with %s', (_case, env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('builds no token verifier without an issuer and an audience, however its options were made', () => {
    const options = { ...NO_AUTH, mode: 'jwt' as const, jwksUrl: 'https://idp.example/jwks.json' };
    expect(() => createAuthenticator({ ...options, audience: 'export-jobs-gateway' })).toThrow(/AUTH_ISSUER and AUTH_AUDIENCE/);
    expect(() => createAuthenticator({ ...options, issuer: 'https://idp.example/' })).toThrow(/AUTH_ISSUER and AUTH_AUDIENCE/);
    expect(createAuthenticator({ ...options, issuer: 'https://idp.example/', audience: 'export-jobs-gateway' }).mode).toBe('jwt');
  });

  it('says in one log line at start that callers are not verified', async () => {
    const api = await startTestServer(storageTargets.find((target) => target.name === 'pglite')!);
    try {
      expect(api.logs.filter((line) => line.includes('Callers are not verified'))).toHaveLength(1);
    } finally {
      await api.close();
    }
  });
});
