// One Jest run for every project: unit (*.spec.ts), integration (*.integration-spec.ts) and
// end-to-end (*.e2e-spec.ts) tiers. Integration and e2e suites talk to the real PostgreSQL and Redis;
// the global setup migrates a template database once and each suite clones its own from it.
const { readFileSync } = require('node:fs');

const swcrc = JSON.parse(readFileSync(`${__dirname}/.swcrc`, 'utf8'));
delete swcrc.exclude;
delete swcrc.$schema;
swcrc.jsc.baseUrl = __dirname;

const transform = { '^.+\\.(t|j)sx?$': ['@swc/jest', { ...swcrc, swcrc: false }] };
const moduleNameMapper = {
  '^@switchyard/(.*)$': '<rootDir>/libs/$1/src/index.ts',
};

const common = {
  rootDir: __dirname,
  transform,
  moduleNameMapper,
  testEnvironment: 'node',
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
};

module.exports = {
  // Global options (Jest ignores these inside `projects`).
  testTimeout: 60000,
  maxWorkers: 2,
  // Suites close what they open; this guards CI against a stray handle in a library keeping Jest alive.
  forceExit: true,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,tools}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,tools}/**/*.{integration,e2e}-spec.ts'],
      globalSetup: '<rootDir>/tools/jest/global-setup.ts',
      globalTeardown: '<rootDir>/tools/jest/global-teardown.ts',
    },
  ],
};
