/** WAWebMmsMediaTypes: the upload's media type for a message kind (channels have their own, unencrypted ones). */
export const WAWebMmsMediaTypes = {
  msgToMediaType: ({ type, isGif, isNewsletter }: { type: string; isGif?: boolean; isNewsletter?: boolean }): string =>
    `${isNewsletter ? 'newsletter-' : ''}${isGif ? 'gif' : type}`,
  castToV4: (mediaType: string): string => mediaType,
};
