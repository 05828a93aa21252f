/** Which mode the server runs in, from the environment, and what it says and binds to without verification. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { storageTargets } from '../helpers/databases';
import { startTestServer } from '../helpers/testServer';

describe('the authentication mode', () => {
  it('believes the tenant headers and listens on 127.0.0.1 only when no AUTH_* is set', () => {
    const config = loadConfig({});
    expect(config.auth.mode).toBe('none');
    expect(config.host).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
  });

  it('verifies tokens as soon as any AUTH_* names a key set, on every interface', () => {
    const config = loadConfig({ AUTH_JWKS_URL: 'https://idp.example/jwks.json', AUTH_ISSUER: 'https://idp.example/' });
    expect(config.auth).toMatchObject({ mode: 'jwt', jwksUrl: 'https://idp.example/jwks.json', tenantsClaim: 'tenants' });
    expect(config.host).toBeUndefined();
  });

  it.each([
    ['AUTH_MODE=jwt without a key set', { AUTH_MODE: 'jwt' }, /AUTH_JWKS_URL or AUTH_JWKS_FILE/],
    ['an unknown AUTH_MODE', { AUTH_MODE: 'maybe' }, /AUTH_MODE must be none or jwt/],
    ['a key set URL that is not http(s)', { AUTH_JWKS_URL: 'file:///etc/passwd' }, /AUTH_JWKS_URL must be an http/],
  ])('refuses to start with %s', (_case, env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
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
