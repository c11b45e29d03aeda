/** WAWebOfflineHandler: offline delivery progress (read for the `loading_screen` event). */
export const WAWebOfflineHandler = {
  OfflineMessageHandler: { getOfflineDeliveryProgress: (): number => 100 },
};
