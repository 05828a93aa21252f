/** A lowercase UUID, as `randomUUID()` makes them: segment definition ids, and their cursors' id part. */
export const LOWERCASE_UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
