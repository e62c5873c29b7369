// Lint rules: typescript-eslint's recommended set, plus the few rules that keep layers honest.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const typedDataAccess = [
  { selector: 'TSAsExpression > TSAsExpression > TSUnknownKeyword', message: 'No `as unknown as`: parse the item with its entity (functions/adapters/entities.ts).' },
  {
    selector: ':matches(DoWhileStatement, WhileStatement, ForStatement) Property[key.name="ExclusiveStartKey"]',
    message: 'No hand-written LastEvaluatedKey loop: read every page with paginateQuery or paginateScan.',
  },
];
const batchWritesInOnePlace = {
  selector:
    ':matches(DoWhileStatement, WhileStatement, ForStatement) :matches(MemberExpression[property.name="UnprocessedItems"], ObjectPattern > Property[key.name="UnprocessedItems"])',
  message: 'No hand-written UnprocessedItems loop: write with batchWriteItems (functions/adapters/queries.ts).',
};
const keysInOnePlace = {
  selector: 'Property[key.name=/^(pk|sk|gsi[0-9](pk|sk))$/][value.type="TemplateLiteral"]',
  message: 'Keys are built in functions/adapters/table-design.ts: add the key there and call it.',
};

// zod's classic API was 95-110 KiB of a Lambda bundle, its `zod/mini` API is 35-47 KiB; a bundle
// that imports both carries both. What goes into a bundle imports functions/core/zod.ts (zod/mini).
const classicZod = ['zod', 'zod/v4', 'zod/v4/classic'].map((name) => ({
  name,
  message: "Lambda code imports zod as `import * as z from '<...>/core/zod.ts'` (zod/mini): the classic API would come into the bundles beside it.",
}));

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', '.comeback/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      // zod's `z` export is a namespace object that esbuild keeps whole (with every locale, the JSON
      // Schema conversions): 443 KiB in each Lambda bundle instead of the ~90 KiB a handler uses.
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value=/^zod/][importKind!='type'] > ImportSpecifier[imported.name='z'][importKind!='type']",
          message: "Import zod as `import * as z from 'zod'`: the named `z` export defeats tree-shaking in the Lambda bundles.",
        },
      ],
    },
  },
  {
    files: ['functions/adapters/**/*.ts', 'functions/handlers/**/*.ts', 'functions/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: classicZod }] },
  },
  {
    // The domain core is pure: no AWS SDK, no process environment.
    files: ['functions/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: classicZod,
          patterns: [
            { group: ['@aws-sdk/*', 'aws-cdk-lib', 'aws-cdk-lib/*'], message: 'The core imports no AWS SDK or CDK: take a port instead.' },
            // Relative paths too: `../../adapters/x.ts` is as much an adapter as `#adapters/x.ts`. The
            // patterns are gitignore patterns, where a leading # starts a comment: hence `\\#`.
            { group: ['\\#adapters/*', '\\#handlers/*', '\\#lib/*', '**/adapters/**', '**/handlers/**', '**/lib/**'], message: 'The core imports no adapter, handler or host: take a port instead.' },
          ],
        },
      ],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration through functions/config.ts.' }],
    },
  },
  {
    // Data access is typed: an item read from the table goes through its entity (functions/adapters/entities.ts),
    // and a full read pages with the SDK's paginators (paginateQuery, paginateScan). A cursor-paged
    // route sends one Query with ExclusiveStartKey outside any loop, which stays allowed.
    files: ['functions/**/*.ts', 'lib/local/**/*.ts'],
    rules: { 'no-restricted-syntax': ['error', ...typedDataAccess, batchWritesInOnePlace, keysInOnePlace] },
  },
  {
    // Where the batch writes' retry of unprocessed requests lives.
    files: ['functions/adapters/queries.ts'],
    rules: { 'no-restricted-syntax': ['error', ...typedDataAccess, keysInOnePlace] },
  },
  {
    // Where keys are written: the table's key module and the loyalty program's.
    files: ['functions/adapters/table-design.ts', 'functions/adapters/loyalty-keys.ts'],
    rules: { 'no-restricted-syntax': ['error', ...typedDataAccess] },
  },
);
