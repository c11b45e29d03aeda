/** Placeholder: filled in by the feed-ingestion work (issue 6) before it ships. */
export const sql = ``;
