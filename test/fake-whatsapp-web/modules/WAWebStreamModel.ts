/** WAWebStreamModel.Stream: presence around `sendSeen` (direct messages are sent with it). */
export const WAWebStreamModel = {
  Stream: { markAvailable: (): void => undefined, markUnavailable: (): void => undefined },
};
