/** A tenant: an organisation and a sandbox inside it. Every row and every query is scoped to one. */
export interface Tenant {
  orgId: string;
  sandboxName: string;
}

export const DEFAULT_SANDBOX = 'prod';

/**
 * The longest organisation or sandbox name: both lead every index, and with ids at their
 * limit (255, profiles/storable.ts) in 3-byte characters the widest index entry stays under
 * PostgreSQL's 2,704 bytes (measured: 48 fits, 64 does not).
 */
export const MAX_TENANT_NAME_LENGTH = 48;
/** And its bytes in UTF-8, what the index holds: 48 characters of 4 bytes (emoji) do not fit. */
export const MAX_TENANT_NAME_BYTES = MAX_TENANT_NAME_LENGTH * 3;
// Printable characters only: a NUL or another control character is no tenant, and would
// reach PostgreSQL as text it refuses.
const TENANT_NAME = new RegExp(`^[^\\p{Cc}\\p{Cs}]{1,${MAX_TENANT_NAME_LENGTH}}$`, 'u');

/** Whether `value` may name a sandbox: 1 to 48 printable characters, at most 144 bytes in UTF-8. */
export function isTenantName(value: string): boolean {
  return TENANT_NAME.test(value) && Buffer.byteLength(value, 'utf8') <= MAX_TENANT_NAME_BYTES;
}

/**
 * Whether `value` may name an organisation: a tenant name without `/`, which parts the
 * organisation from the sandbox in a token's grants (`ORG@AdobeOrg/prod`). An
 * organisation named `victim@AdobeOrg/prod` would be granted another's sandbox.
 */
export function isOrganisationName(value: string): boolean {
  return isTenantName(value) && !value.includes('/');
}

/** The part of `tenant` whose name is not one (the organisation's first), or null when both are. */
export function misnamedTenantPart(tenant: Tenant): 'organisation' | 'sandbox' | null {
  if (!isOrganisationName(tenant.orgId)) return 'organisation';
  return isTenantName(tenant.sandboxName) ? null : 'sandbox';
}

/** What an organisation or sandbox name may be, for messages. */
export const TENANT_NAME_RULE = `1 to ${MAX_TENANT_NAME_LENGTH} printable characters, at most ${MAX_TENANT_NAME_BYTES} bytes in UTF-8 (an organisation without "/")`;
