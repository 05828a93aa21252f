/**
 * The id of a row keyed by an identity column (export jobs, job events, webhook
 * deliveries) as clients see it: a positive integer that JavaScript holds exactly,
 * in its one canonical form ("0100" is not 100).
 */
export const IDENTITY_ID_PATTERN = /^[1-9]\d{0,14}$/;
