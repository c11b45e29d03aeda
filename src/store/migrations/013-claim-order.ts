/**
 * The order in which the dispatcher claims posts, as an index: articles with a channel still to post
 * (`queued`) or in flight (`posting`, whose other channels may still be claimed), by priority
 * ('breaking' sorts before 'normal'), publish time and id. The claim walks it and stops at the first
 * article with a channel that may take it, instead of sorting every due (article, channel) row: with a
 * backlog of 10,000 stories, every claim was a sort of 10,000 rows.
 */
export const sql = `
CREATE INDEX articles_claim_order ON articles (priority, publish_at, id) WHERE status IN ('queued', 'posting');
`;
