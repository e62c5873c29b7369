/**
 * Who may call which admin route when people log in with Cognito (on AWS). The rule, in one place:
 * owners call every admin route; managers work their calls, so they call the task list and complete
 * a task, find a customer, and open a customer's profile, messages and points. Routes are named by
 * their API Gateway route key (`GET /v1/tasks`), which API Gateway puts on every event it passes to
 * a function (the local host does the same); the console shows a page only to the groups that may
 * call every route the page calls.
 */

export const adminGroups = ['owners', 'managers'] as const;
export type AdminGroup = (typeof adminGroups)[number];

/** The admin routes managers may call; owners may call every admin route. */
export const managerRouteKeys: ReadonlySet<string> = new Set([
  'GET /v1/tasks',
  'POST /v1/tasks/{id}/complete',
  'GET /v1/customers',
  'GET /v1/customers/{id}',
  'GET /v1/customers/{id}/messages',
  'GET /v1/loyalty/{customerId}',
]);

/** The groups that may call the admin route `routeKey`. */
export function groupsAllowed(routeKey: string): readonly AdminGroup[] {
  return managerRouteKeys.has(routeKey) ? adminGroups : ['owners'];
}

/** Whether someone in `groups` may call the admin route `routeKey`. */
export function mayCall(routeKey: string, groups: readonly string[]): boolean {
  const allowed: readonly string[] = groupsAllowed(routeKey);
  return groups.some((group) => allowed.includes(group));
}

/**
 * The groups of a `cognito:groups` claim as it arrives: a JSON array in the token itself, and, from
 * API Gateway's JWT authorizer (which passes every claim as a string), `[owners managers]`.
 */
export function groupsOfClaim(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.filter((group): group is string => typeof group === 'string');
  if (typeof claim !== 'string') return [];
  const listed = /^\[(.*)\]$/s.exec(claim.trim());
  return (listed ? listed[1]! : claim).split(/[\s,]+/).filter((group) => group.length > 0);
}
