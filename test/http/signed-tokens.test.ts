import { describe, expect, it } from 'vitest';
import { splitSignedToken } from '../../src/http/signed-tokens.js';

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('signed tokens', () => {
  const payload = Buffer.from('a payload of some length!');
  const mac = Buffer.from('0123456789abcdef');
  const token = `${payload.toString('base64url')}.${mac.toString('base64url')}`;

  it('splits an untouched token into its bytes', () => {
    expect(splitSignedToken(token)).toEqual({ payload, mac });
  });

  it('refuses a changed last character even where it decodes to the same bytes', () => {
    // 16 bytes take 22 characters; the last one carries 2 bits, so flipping its lowest bit changes no byte.
    const last = token.at(-1)!;
    const twin = alphabet[alphabet.indexOf(last) ^ 1]!;
    const changed = token.slice(0, -1) + twin;
    expect(Buffer.from(changed.split('.')[1]!, 'base64url')).toEqual(mac);
    expect(splitSignedToken(changed)).toBeNull();
  });

  it.each([
    ['no dot', 'abc'],
    ['three parts', `${token}.x`],
    ['an empty half', `.${mac.toString('base64url')}`],
    ['a character outside base64url', token.replace(/.$/, '=')],
  ])('refuses %s', (_name, text) => {
    expect(splitSignedToken(text)).toBeNull();
  });
});
