// One jest run, one project per test layer (`--selectProjects unit|integration|security|cluster|browser`).
// Tests import TypeScript sources directly; @swc/jest strips types (tsc -b does the type checking).
const swc = [
  '@swc/jest',
  {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  },
];

/** @param {string} name @param {Partial<import('jest').Config>} extra */
function layer(name, extra = {}) {
  return {
    displayName: name,
    testEnvironment: 'node',
    extensionsToTreatAsEsm: ['.ts'],
    transform: { '^.+\\.ts$': swc },
    moduleNameMapper: {
      '^@gamebuddies/protocol$': '<rootDir>/protocol/src/index.ts',
      '^@gamebuddies/rooms$': '<rootDir>/rooms/src/index.ts',
      '^@gamebuddies/rooms/testing$': '<rootDir>/rooms/src/testing/index.ts',
      '^@gamebuddies/games$': '<rootDir>/games/src/index.ts',
      '^@gamebuddies/rooms-api$': '<rootDir>/roomsapi/src/index.ts',
      '^@gamebuddies/client$': '<rootDir>/client/src/index.ts',
      '^@gamebuddies/gameserver$': '<rootDir>/gameserver/src/index.ts',
      '^@gamebuddies/operator$': '<rootDir>/operator/src/index.ts',
      '^(\\.{1,2}/.*)\\.js$': '$1',
    },
    // Cross-package layers live in test/<layer>; a package's own tests in <package>/test/<layer>.
    testMatch: [`<rootDir>/test/${name}/**/*.test.ts`, `<rootDir>/*/test/${name}/**/*.test.ts`],
    ...extra,
  };
}

/** @type {import('jest').Config} */
export default {
  // Per-project testTimeout is ignored by jest; long tests pass their own timeout.
  testTimeout: 30_000,
  projects: [
    layer('unit'),
    layer('e2e'),
    layer('integration'),
    layer('security'),
    layer('browser'),
    layer('cluster', {
      globalSetup: '<rootDir>/test/cluster/globalSetup.mjs',
      globalTeardown: '<rootDir>/test/cluster/globalTeardown.mjs',
    }),
  ],
};
