/**
 * Configuration comes from the environment, read once per module through a zod schema. A missing or
 * malformed variable stops start-up with a message that names it. No other module reads process.env.
 */
import { z } from 'zod';

export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

export function readConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`);
    throw new ConfigurationError(`invalid configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}

const nonEmpty = z.string().trim().min(1);

/** Where the table is; DYNAMODB_ENDPOINT is set only by the local host and tests (DynamoDB Local). */
export const tableEnv = z.object({
  TABLE_NAME: nonEmpty,
  DYNAMODB_ENDPOINT: z.url().optional(),
});

/**
 * A secret is given either as its value (local host: comma-separated for rotation) or as the ARN of
 * a Secrets Manager secret (AWS), never both.
 */
export function secretEnv(name: string) {
  const arn = `${name}_ARN`;
  const shape: Record<string, z.ZodOptional<z.ZodString>> = { [name]: nonEmpty.optional(), [arn]: nonEmpty.optional() };
  return z.object(shape).refine((env) => (env[name] === undefined) !== (env[arn] === undefined), {
    message: `set exactly one of ${name} or ${arn}`,
    path: [name],
  });
}

/** How a handler finds one secret: its value(s) or the Secrets Manager ARN holding them. */
export type SecretReference = { values: string[] } | { arn: string };

export function secretReference(env: Record<string, string | undefined>, name: string): SecretReference {
  const arn = env[`${name}_ARN`];
  if (arn) return { arn };
  return { values: splitSecrets(env[name] ?? '') };
}

export function splitSecrets(value: string): string[] {
  return value.split(',').map((part) => part.trim()).filter((part) => part.length > 0);
}
