/** WAWebGetEphemeralFieldsMsgActionsUtils: no disappearing messages here. */
export const WAWebGetEphemeralFieldsMsgActionsUtils = {
  getEphemeralFields: (_chat: unknown): Record<string, unknown> => ({}),
};
