import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures: HMAC-SHA256 over the exact body bytes with NEWSDESK_WEBHOOK_SECRET, sent as
 * `X-Newsdesk-Signature: sha256=<hex>` (the form GitHub uses, so receivers have code for it). Pure.
 */
export const SIGNATURE_HEADER = 'X-Newsdesk-Signature';

/** `sha256=<hex>` for `body`. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** Whether `signature` is the one `body` has under `secret` (constant-time; what a receiver does). */
export function verifySignature(secret: string, body: string, signature: string | undefined): boolean {
  if (!signature) return false;
  const expected = Buffer.from(signBody(secret, body), 'utf8');
  const given = Buffer.from(signature.trim(), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
