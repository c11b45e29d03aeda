/**
 * Each feed records the character set its last read body was decoded with and why that one (a
 * byte-order mark, the HTTP header, the XML declaration, or detection when the declared set does not
 * fit the bytes), so an editor who sees a garbled headline can tell what the feed claimed.
 */
export const sql = `
ALTER TABLE feeds ADD COLUMN charset TEXT;
ALTER TABLE feeds ADD COLUMN charset_reason TEXT;
`;
