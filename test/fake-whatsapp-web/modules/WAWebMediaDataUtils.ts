/** WAWebMediaDataUtils: whether the page keeps an upload's bytes in its in-memory cache (images only). */
export const WAWebMediaDataUtils = {
  shouldUseMediaCache: (mediaType: string): boolean => /(^|-)image$/.test(mediaType),
};
