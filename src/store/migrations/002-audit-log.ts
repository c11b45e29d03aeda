/** Placeholder: filled in by the admin-commands work (issue 3) before it ships. */
export const sql = ``;
