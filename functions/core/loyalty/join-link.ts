/**
 * The join link of the loyalty invitation. The email carries a token naming the customer:
 * `<base64url JSON {customerId}>.<base64url HMAC-SHA256(secret, "loyalty-join." + first part)>`,
 * signed with the feedback links' secret under its own prefix, so neither kind of link passes for
 * the other. Whoever holds the link may join the program for that customer (what the invitation is
 * for), and nobody can forge one for another. Tokens do not expire: an invitation may be opened
 * weeks later. Several secrets may verify at once (rotation); the first one signs.
 */
import * as z from '../zod.ts';
import { identifierSchema } from '../purchase.ts';
import { linkWithToken, signedToken, verifySignedToken } from '../signed-link.ts';

const JOIN_PURPOSE = 'loyalty-join';
const subjectSchema = z.strictObject({ customerId: identifierSchema });

export function joinToken(customerId: string, secret: string): string {
  return signedToken(JOIN_PURPOSE, { customerId }, secret);
}

/** The link of the join page: `baseUrl` with the token as its `token` query parameter. */
export const joinUrl = linkWithToken;

/** The customer a token names, once its signature matches one of the secrets. */
export function verifyJoinToken(token: string, secrets: readonly string[]): { customerId: string } {
  return verifySignedToken(JOIN_PURPOSE, token, secrets, subjectSchema, 'the join link is not valid');
}
