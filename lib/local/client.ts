/** A small client of the HTTP API for the CLI and the local host's demo: signs and posts, reads. */
import { signComebackPayload } from '../../functions/core/signature.ts';

export interface Answer {
  status: number;
  body: unknown;
}

export async function postSigned(url: string, path: string, secret: string, rawBody: string): Promise<Answer> {
  const signature = signComebackPayload(secret, rawBody, Math.floor(Date.now() / 1000));
  return send(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'comeback-signature': signature }, body: rawBody });
}

export function postSignedPurchase(url: string, secret: string, purchase: unknown): Promise<Answer> {
  return postSigned(url, '/v1/purchases', secret, JSON.stringify(purchase));
}

export function fetchCustomer(url: string, adminToken: string, customerId: string): Promise<Answer> {
  return send(`${url}/v1/customers/${encodeURIComponent(customerId)}`, { headers: { authorization: `Bearer ${adminToken}` } });
}

export function getJson(url: string, path: string, adminToken?: string): Promise<Answer> {
  return send(`${url}${path}`, adminToken ? { headers: { authorization: `Bearer ${adminToken}` } } : {});
}

export function postJson(url: string, path: string, body: unknown, adminToken?: string): Promise<Answer> {
  return send(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(adminToken ? { authorization: `Bearer ${adminToken}` } : {}) },
    body: JSON.stringify(body),
  });
}

/** What a refusal says: its problem's detail, or else the first `limit` characters of its answer. */
export function refusalDetail(answer: Answer, limit = 200): string {
  const { body } = answer;
  if (typeof body === 'object' && body !== null && 'detail' in body && typeof body.detail === 'string') return body.detail;
  if (typeof body === 'string' && body !== '') return body.slice(0, limit);
  return body === undefined ? '(no answer)' : JSON.stringify(body).slice(0, limit);
}

/**
 * Sends a request to the API and reads its answer: JSON, or the text when it is not JSON. A host
 * that cannot be reached is one line that says so, naming where it was sought.
 */
export async function send(target: string, init: RequestInit): Promise<Answer> {
  let response: Response;
  try {
    response = await fetch(target, init);
  } catch (error) {
    throw new Error(`cannot reach ${new URL(target).origin} (is \`npm start\` running?): ${(error as Error).cause ?? (error as Error).message}`, { cause: error });
  }
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body };
}
