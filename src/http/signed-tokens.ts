/**
 * The two halves of a signed link's token, `<payload>.<mac>` in base64url (service rating links, unsubscribe
 * links, SMS delivery reports). Node decodes base64url leniently: the unused low bits of a last character, and
 * characters outside the alphabet, are ignored, so a token with its last character changed could still decode to
 * the same bytes and pass its MAC. Only the one spelling that the bytes encode back to is accepted, so any
 * changed character makes the token invalid.
 */
export function splitSignedToken(token: string): { payload: Buffer; mac: Buffer } | null {
  const [payloadText, macText, extra] = token.split('.');
  if (!payloadText || !macText || extra !== undefined) return null;
  const payload = Buffer.from(payloadText, 'base64url');
  const mac = Buffer.from(macText, 'base64url');
  if (payload.toString('base64url') !== payloadText || mac.toString('base64url') !== macText) return null;
  return { payload, mac };
}
