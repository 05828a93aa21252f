/** The `Content-Disposition` a download is served with: saved, under the file's own name. */
export function attachmentDisposition(name: string): string {
  // Our names are plain ASCII; anything else becomes `_` rather than break the header.
  return `attachment; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"`;
}
