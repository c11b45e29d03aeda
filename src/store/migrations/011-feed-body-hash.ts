/**
 * Each feed keeps a hash of the last body it read in full (with the final URL, content type and the
 * reader's version): a re-poll that gets the same bytes again is not parsed or deduplicated a second
 * time, since every story in it was recorded by the poll that stored the hash (issue 13).
 */
export const sql = `
ALTER TABLE feeds ADD COLUMN body_hash TEXT;
`;
