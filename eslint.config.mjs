import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// Layering is enforced here, not by convention. See CONTRIBUTING.md for the table.
const domainBans = ['@nestjs/*', 'typeorm', 'pg', 'nats', '@nats-io/*', 'express', 'nestjs-pino', 'prom-client'];
const aliasOnly = { group: ['**/libs/*', '@niyanta/*/src/*'], message: 'Import a lib through its public alias (@niyanta/<lib>).' };
// The leader's planning code is pure: it decides from plain data (@niyanta/scheduling, @niyanta/models)
// and leaves reading, writing and messaging to the services around it. Module boundaries cannot say
// this (the leader lib as a whole uses the data-access layer), so these files say it themselves.
const leaderPlanningFiles = [
  'libs/leader/src/lib/scheduling-pass.ts',
  'libs/leader/src/lib/cluster-view.ts',
  'libs/leader/src/lib/customer-quota.ts',
  'libs/leader/src/lib/type-quota.ts',
  'libs/leader/src/lib/pending-reasons.ts',
  'libs/leader/src/lib/heartbeat-reconciliation.ts',
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    ignores: ['**/dist', '**/node_modules', '**/tmp', '**/.nx', '**/.data', '**/coverage', 'libs/sdk/src/generated/**'],
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:feature', 'type:platform', 'type:data-access', 'type:domain', 'type:util'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:sdk', 'type:domain', 'type:util'] },
            { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:platform', 'type:data-access', 'type:domain', 'type:util'] },
            // The process platform: the Nest module with the health and metrics controllers, the launcher, the startup probe.
            { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:util'] },
            { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:data-access', 'type:domain', 'type:util'] },
            {
              sourceTag: 'type:domain',
              onlyDependOnLibsWithTags: ['type:domain', 'type:util'],
              bannedExternalImports: domainBans,
            },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
            { sourceTag: 'type:sdk', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:cli', onlyDependOnLibsWithTags: ['type:sdk'] },
            // The web dashboard is a client of the published API only.
            { sourceTag: 'type:ui', onlyDependOnLibsWithTags: ['type:sdk'] },
            { sourceTag: 'scope:api', onlyDependOnLibsWithTags: ['scope:api', 'scope:shared'] },
            { sourceTag: 'scope:leader', onlyDependOnLibsWithTags: ['scope:leader', 'scope:shared'] },
            { sourceTag: 'scope:worker', onlyDependOnLibsWithTags: ['scope:worker', 'scope:shared'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:dashboard', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:standalone', onlyDependOnLibsWithTags: ['scope:api', 'scope:leader', 'scope:worker', 'scope:shared'] },
          ],
        },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { patterns: [aliasOnly] }],
    },
  },
  {
    files: leaderPlanningFiles,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            aliasOnly,
            {
              group: ['@niyanta/state', '@niyanta/broker', '@niyanta/checkpoint', ...domainBans],
              message: 'Leader planning code is pure: take plain data from @niyanta/scheduling or @niyanta/models, and leave I/O to the services.',
            },
          ],
        },
      ],
    },
  },
  {
    // Libraries take typed options; only apps and tools read the environment.
    files: ['libs/**/*.ts'],
    ignores: ['libs/**/*.spec.ts', 'libs/**/*.int-spec.ts', 'libs/testing/**'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Libraries never read process.env; take typed options.' }],
    },
  },
];
