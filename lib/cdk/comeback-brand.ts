/**
 * How the shop's emails look on AWS: the brand settings of functions/config.ts (brandEnv) as CDK
 * props, checked at synth time by the very schema the functions read them with, so a wrong colour
 * or a logo on http stops `cdk synth` with its name instead of a function at its first email.
 */
import { brandEnv } from '../../functions/config.ts';

export interface ComebackBrand {
  /** An https address of the logo above every email. @default - the shop's name instead */
  readonly logoUrl?: string;
  /** Accent colour, `#rrggbb`. @default '#1f6f5c' */
  readonly brandColor?: string;
  /** The colour around the message, `#rrggbb`. @default '#f4f4f4' */
  readonly backgroundColor?: string;
  /** The postal address in every email's footer; `\n` breaks lines. @default - none */
  readonly postalAddress?: string;
  /** The name emails come from. @default - the shop's name */
  readonly senderName?: string;
  /** The most parts an SMS may take. @default 2 */
  readonly smsMaxSegments?: number;
}

const variables: Record<keyof ComebackBrand, string> = {
  logoUrl: 'COMEBACK_LOGO_URL',
  brandColor: 'COMEBACK_BRAND_COLOR',
  backgroundColor: 'COMEBACK_BACKGROUND_COLOR',
  postalAddress: 'COMEBACK_POSTAL_ADDRESS',
  senderName: 'COMEBACK_SENDER_NAME',
  smsMaxSegments: 'COMEBACK_SMS_MAX_SEGMENTS',
};

/** The environment of a function that sends, for these settings; throws naming a setting that is wrong. */
export function brandEnvironment(brand: ComebackBrand = {}): Record<string, string> {
  const unknown = Object.keys(brand).filter((key) => !(key in variables));
  if (unknown.length > 0) throw new Error(`the brand settings have no ${unknown.join(', ')}; known: ${Object.keys(variables).join(', ')}`);
  const environment = Object.fromEntries(
    Object.entries(brand)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [variables[key as keyof ComebackBrand], String(value)]),
  );
  const checked = brandEnv.safeParse(environment);
  if (!checked.success) {
    const problems = checked.error.issues.map((issue) => `${String(issue.path[0])}: ${issue.message}`);
    throw new Error(`the brand settings are not valid: ${problems.join('; ')}`);
  }
  return environment;
}
