/**
 * The lint rule that keeps the domain core pure, tried on code it must refuse and code it must let
 * through, with the project's own ESLint configuration, as `npm run lint` applies it.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function restrictedImports(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

describe('the core stays free of adapters, handlers, hosts and the AWS SDK', () => {
  it.each([
    "import { DynamoPurchaseLedger } from '../adapters/purchase-ledger.ts';",
    "import { documentClient } from '../../adapters/dynamodb.ts';",
    "import { documentClient } from '#adapters/dynamodb.ts';",
    "import { handler } from '../handlers/record-purchase.ts';",
    "import { apiRoutes } from '../../../lib/routes.ts';",
    "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
    "import { Stack } from 'aws-cdk-lib';",
  ])('refuses %s in a core file', async (line) => {
    expect(await restrictedImports(`${line}\nexport const used = [${line.match(/import \{ (\w+) \}/)![1]}];\n`, 'functions/core/analytics/example.ts')).toHaveLength(1);
  }, 30_000);

  it('lets the core import the core, and adapters import adapters', async () => {
    expect(await restrictedImports("import { parsePurchase } from '../purchase.ts';\nexport const used = parsePurchase;\n", 'functions/core/analytics/example.ts')).toEqual([]);
    expect(await restrictedImports("import { documentClient } from './dynamodb.ts';\nexport const used = documentClient;\n", 'functions/adapters/example.ts')).toEqual([]);
  }, 30_000);
});
