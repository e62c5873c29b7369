/**
 * config.json beside index.html: where the API is (the console's own origin when absent) and how
 * people log in (the admin token when absent). The deployed console's says Cognito.
 */
export interface ConsoleConfig {
  apiUrl?: string;
  login?: CognitoLogin;
}

/** Login through a Cognito user pool's managed login pages, with the authorization code flow and PKCE. */
export interface CognitoLogin {
  kind: 'cognito';
  /** The login domain: https://<prefix>.auth.<region>.amazoncognito.com. */
  domain: string;
  /** The console's app client (no secret). */
  clientId: string;
  /** Where Cognito sends people back, the client's callback and sign-out URL. @default - the console's own address */
  redirectUri?: string;
}
