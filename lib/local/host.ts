/**
 * The embedded local host: the whole system on one machine with no AWS. An HTTP server turns
 * requests into the API Gateway events the deployed Lambda handlers get, and the very same handler
 * modules answer them, against Amazon's DynamoDB Local through the real AWS SDK clients.
 *
 * Local-only capabilities (the OpenAPI document today; the state machine runner and the virtual
 * clock later) plug in as `localRoutes`: they are never deployed.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context, DynamoDBRecord } from 'aws-lambda';
import { apiRoutes, type ApiRoute } from '../routes.ts';
import { openApiDocument } from '../openapi.ts';
import { invoke } from './invocations.ts';
import { GatewayPayloadTooLarge, lambdaContext, MalformedPath, pathMatcher, readBody, requestUrl, toGatewayEvent, writeResult } from './api-gateway.ts';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { ensureTable, localCredentials, localDynamoClient, localRegion, startDynamoDbLocal, type RunningDynamoDb } from './dynamodb-local.ts';
import { DynamoDbExecutionStore } from './execution-store.ts';
import { startJourneyRuntime, type JourneyRuntime } from './journey-runtime.ts';
import { localRoutesFor } from './local-routes.ts';
import { jwtAuthorizer, type LocalAuthorizer } from './jwt-authorizer.ts';

export const LOCAL_TABLE_NAME = 'comeback';

type LambdaHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** A route served by the local host itself (never deployed). */
export interface LocalRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  handle: (request: { url: URL; body: Buffer; parameters: Record<string, string> }) => Promise<{ status: number; body: unknown }> | { status: number; body: unknown };
}

/** A static page's answer. */
export interface StaticAnswer {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array | string;
}

export interface LocalHostOptions {
  port: number;
  /** Persist DynamoDB Local's data here; when absent, a scratch database removed when the host stops. */
  dataDir?: string;
  secrets: {
    COMEBACK_WEBHOOK_SECRET: string;
    COMEBACK_SHOPIFY_SECRET: string;
    COMEBACK_WOOCOMMERCE_SECRET: string;
    COMEBACK_ADMIN_TOKEN: string;
    COMEBACK_UNSUBSCRIBE_SECRET: string;
    COMEBACK_FEEDBACK_SECRET: string;
  };
  /** Journey settings and delivery texts the handlers read (shop URL, support contact, holdout share). */
  settings: {
    COMEBACK_HOLDOUT_SHARE: string;
    COMEBACK_SHOP_URL: string;
    COMEBACK_SUPPORT_CONTACT: string;
  };
  /** Where the virtual clock of a new data directory starts; now when absent. A kept clock goes on from its own time. */
  clockStart?: Date;
  localRoutes?: LocalRoute[];
  /** Static pages the host serves itself (the console), asked for GET paths no route matches. */
  pages?: (pathname: string) => StaticAnswer | undefined;
  /** One line per request; silent when absent. */
  log?: (line: string) => void;
  /** Told of the stream records whose reactions ran (the bench times them). */
  onReactions?: (records: DynamoDBRecord[]) => void;
  /**
   * Admins log in with a Cognito user pool (or a stand-in) instead of the admin token, as on AWS:
   * the host stands in for API Gateway's JWT authorizer (lib/local/jwt-authorizer.ts).
   */
  adminLogin?: { issuer: string; clientId: string };
}

export interface LocalHost {
  url: string;
  dynamodbEndpoint: string;
  journeys: JourneyRuntime;
  /** How many executions kept from an earlier run went on at start. */
  resumedExecutions: number;
  stop(): Promise<void>;
}

interface MountedRoute {
  route: ApiRoute;
  match: (path: string) => Record<string, string> | undefined;
  handler: LambdaHandler;
}

/**
 * The routes that record orders, refunds and cancellations. Their reactions (journeys, points) run
 * from the table's stream, as on AWS; the webhook answers once its write is done. Every other
 * request first waits until the reactions to what was written before it have run: a script that
 * posts a purchase and then reads the customer, the points or the journeys sees them, as it would a
 * moment later on AWS, while the webhooks themselves keep the timing they have there (the bench
 * times them). Waiting in the gateway rather than in each script keeps the scripts as they are
 * against a deployed stack.
 */
const RECORDING_ROUTES: ReadonlySet<string> = new Set(['RecordPurchase', 'RecordRefund', 'ShopifyOrder', 'WooCommerceOrder']);

export async function startLocalHost(options: LocalHostOptions): Promise<LocalHost> {
  const dynamodb = await startDynamoDbLocal(options.dataDir ? { dataDir: options.dataDir } : {});
  let server: Server | undefined;
  let journeys: JourneyRuntime | undefined;
  try {
    await ensureTable(dynamodb.endpoint, LOCAL_TABLE_NAME);
    const dynamoClient = localDynamoClient(dynamodb.endpoint);
    journeys = await startJourneyRuntime({
      executions: await DynamoDbExecutionStore.open(dynamoClient),
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(options.clockStart ? { start: options.clockStart } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    const runtime = journeys;
    // "Nothing recorded yet": the table is empty, so a clock moved back contradicts no data.
    const nothingRecorded = async () => ((await dynamoClient.send(new ScanCommand({ TableName: LOCAL_TABLE_NAME, Limit: 1 }))).Items ?? []).length === 0;
    // Filled once the handlers are imported; until then the server answers 503.
    const ready: { routes?: { mounted: MountedRoute[]; local: { route: LocalRoute; match: (path: string) => Record<string, string> | undefined }[] } } = {};
    const authorizer = options.adminLogin ? jwtAuthorizer(options.adminLogin) : undefined;
    server = createServer((request, response) => {
      const started = performance.now();
      const routes = ready.routes;
      if (!routes) return sendProblem(response, 503, 'Starting', 'the local host is still starting');
      serve(request, response, routes.mounted, routes.local, options.pages, () => runtime.settled(), authorizer)
        .catch((error: unknown) => {
          const [status, title] = error instanceof GatewayPayloadTooLarge ? [413, 'Payload too large'] : error instanceof MalformedPath ? [400, 'Invalid request'] : [500, 'Internal error'];
          sendProblem(response, status, title, (error as Error).message);
        })
        .finally(() => {
          runtime.tableWritten();
          options.log?.(`${request.method} ${request.url} ${response.statusCode} ${(performance.now() - started).toFixed(1)} ms`);
        });
    });
    await new Promise<void>((listening, failed) => {
      server?.once('error', failed);
      server?.listen(options.port, '127.0.0.1', () => listening());
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // The environment a deployed function gets, pointed at DynamoDB Local and the local journey
    // runtime. Handlers read it once, when they are first imported, exactly as on AWS.
    Object.assign(process.env, {
      TABLE_NAME: LOCAL_TABLE_NAME,
      DYNAMODB_ENDPOINT: dynamodb.endpoint,
      AWS_REGION: localRegion,
      AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
      POWERTOOLS_LOG_LEVEL: process.env['POWERTOOLS_LOG_LEVEL'] ?? 'WARN',
      // There is no CloudWatch here: metric lines would only bury the outbox in the console.
      POWERTOOLS_METRICS_DISABLED: process.env['POWERTOOLS_METRICS_DISABLED'] ?? 'true',
      COMEBACK_DELIVERY: 'outbox',
      COMEBACK_PUBLIC_URL: url,
      ...options.secrets,
      ...options.settings,
      ...(options.adminLogin
        ? { COMEBACK_ADMIN_LOGIN: 'cognito', COMEBACK_COGNITO_ISSUER: options.adminLogin.issuer, COMEBACK_COGNITO_CLIENT_ID: options.adminLogin.clientId }
        : {}),
      ...journeys.environment,
    });
    runtime.followTableStream({ endpoint: dynamodb.endpoint, tableName: LOCAL_TABLE_NAME, poll: true, ...(options.onReactions ? { onHandled: options.onReactions } : {}) });
    const mounted = await Promise.all(apiRoutes.map(mountRoute));
    const local = [
      { method: 'GET' as const, path: '/openapi.json', handle: () => ({ status: 200, body: openApiDocument() }) },
      ...localRoutesFor(runtime, { nothingRecorded }),
      ...(options.localRoutes ?? []),
    ].map((route) => ({ route, match: pathMatcher(route.path) }));
    ready.routes = { mounted, local };
    const { resumed } = await runtime.resume();
    return {
      url,
      dynamodbEndpoint: dynamodb.endpoint,
      journeys: runtime,
      resumedExecutions: resumed,
      stop: async () => {
        await stopAll(server!, runtime, dynamodb);
        dynamoClient.destroy();
      },
    };
  } catch (error) {
    server?.close();
    await journeys?.stop();
    await dynamodb.stop();
    throw error;
  }
}

async function mountRoute(route: ApiRoute): Promise<MountedRoute> {
  const module = (await import(new URL(`../../${route.handler}`, import.meta.url).href)) as { handler: LambdaHandler };
  return { route, match: pathMatcher(route.path), handler: module.handler };
}

async function serve(
  request: IncomingMessage,
  response: ServerResponse,
  mounted: MountedRoute[],
  localRoutes: { route: LocalRoute; match: (path: string) => Record<string, string> | undefined }[],
  pages: ((pathname: string) => StaticAnswer | undefined) | undefined,
  reactionsSettled: () => Promise<void>,
  authorize?: LocalAuthorizer,
): Promise<void> {
  const url = requestUrl(request);
  const method = request.method ?? 'GET';
  const body = await readBody(request);
  const recording = mounted.some(({ route, match }) => RECORDING_ROUTES.has(route.id) && route.method === method && match(url.pathname));
  if (!recording) await reactionsSettled();
  for (const { route, match, handler } of mounted) {
    const parameters = match(url.pathname);
    if (!parameters || route.method !== method) continue;
    const event = toGatewayEvent(request, body, route, parameters);
    const refused = await authorize?.(route, event);
    if (refused) {
      writeResult(response, refused);
      return;
    }
    writeResult(response, await invoke(route.id, () => handler(event, lambdaContext(route.id))));
    return;
  }
  for (const { route, match } of localRoutes) {
    const parameters = match(url.pathname);
    if (!parameters || route.method !== method) continue;
    const result = await route.handle({ url, body, parameters });
    response.writeHead(result.status, { 'content-type': result.status >= 400 ? 'application/problem+json' : 'application/json' });
    response.end(JSON.stringify(result.body, null, 2));
    return;
  }
  const page = method === 'GET' || method === 'HEAD' ? pages?.(url.pathname) : undefined;
  if (page) {
    response.writeHead(page.status, page.headers);
    response.end(method === 'HEAD' ? undefined : page.body);
    return;
  }
  const known = [...mounted.map((entry) => entry.match), ...localRoutes.map((entry) => entry.match)].some((match) => match(url.pathname));
  if (known) sendProblem(response, 405, 'Method not allowed', `${method} is not served on ${url.pathname}`);
  else sendProblem(response, 404, 'Not found', `no route for ${method} ${url.pathname}`);
}

function sendProblem(response: ServerResponse, status: number, title: string, detail: string): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.writeHead(status, { 'content-type': 'application/problem+json' });
  response.end(JSON.stringify({ type: 'about:blank', title, status, detail }));
}

async function stopAll(server: Server, journeys: JourneyRuntime, dynamodb: RunningDynamoDb): Promise<void> {
  await new Promise<void>((closed) => {
    server.close(() => closed());
    server.closeAllConnections();
  });
  await journeys.stop();
  await dynamodb.stop();
}
