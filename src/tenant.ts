/** A tenant: an organisation and a sandbox inside it. Every row and every query is scoped to one. */
export interface Tenant {
  orgId: string;
  sandboxName: string;
}

export const DEFAULT_SANDBOX = 'prod';
