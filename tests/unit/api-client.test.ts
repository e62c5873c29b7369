/**
 * The HTTP API's client for the CLI and the local host (lib/local/client.ts): an answer read as JSON
 * or kept as text, a host that cannot be reached said in one line, and what a refusal says.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refusalDetail, send } from '../../lib/local/client.ts';

let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/problem') {
      response.writeHead(409, { 'content-type': 'application/problem+json' });
      response.end(JSON.stringify({ type: 'about:blank', title: 'Conflict', status: 409, detail: 'this store is not connected' }));
    } else if (request.url === '/text') {
      response.writeHead(502, { 'content-type': 'text/plain' });
      response.end('Bad Gateway from a proxy in front of the host');
    } else {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ recorded: 3 }));
    }
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', () => listening()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((closed) => server.close(() => closed())));

describe('the API client', () => {
  it('reads a JSON answer, and keeps an answer that is not JSON as its text', async () => {
    expect(await send(`${url}/summary`, {})).toEqual({ status: 200, body: { recorded: 3 } });
    expect(await send(`${url}/text`, {})).toEqual({ status: 502, body: 'Bad Gateway from a proxy in front of the host' });
  });

  it("says what a refusal says: its problem's detail, else the start of its text", async () => {
    expect(refusalDetail(await send(`${url}/problem`, {}))).toBe('this store is not connected');
    expect(refusalDetail(await send(`${url}/text`, {}), 11)).toBe('Bad Gateway');
    expect(refusalDetail({ status: 500, body: undefined })).toBe('(no answer)');
    expect(refusalDetail({ status: 500, body: { title: 'Internal' } })).toBe('{"title":"Internal"}');
  });

  it('says in one line that a host cannot be reached, and where it was sought', async () => {
    const closed = createServer();
    await new Promise<void>((listening) => closed.listen(0, '127.0.0.1', () => listening()));
    const gone = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((done) => closed.close(() => done()));
    const refused = send(`${gone}/v1/sync/shopify`, { method: 'POST' });
    await expect(refused).rejects.toThrow(`cannot reach ${gone} (is \`npm start\` running?)`);
    await expect(refused).rejects.toThrow(/^[^\n]+$/);
  });
});
