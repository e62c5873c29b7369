/**
 * Secrets for handlers: given directly (local host) or fetched from Secrets Manager (AWS) and
 * cached for five minutes by Powertools, so a rotated secret is picked up without a deploy.
 * A secret may hold several comma-separated values: all of them are valid at once.
 */
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { splitSecrets, type SecretReference } from '../config.ts';

export async function resolveSecret(reference: SecretReference): Promise<string[]> {
  if ('values' in reference) return reference.values;
  const value = await getSecret(reference.arn, { maxAge: 300 });
  if (typeof value !== 'string') throw new Error('a webhook secret must be a text secret');
  return splitSecrets(value);
}
