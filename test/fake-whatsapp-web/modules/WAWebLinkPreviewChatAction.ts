/** WAWebLinkPreviewChatAction: link previews need the network; this page has none, so never a preview. */
export const WAWebLinkPreviewChatAction = {
  getLinkPreview: async (_link: unknown): Promise<null> => null,
};
