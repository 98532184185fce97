/** Tiers are chosen by file suffix: *.unit.spec.ts (pure logic), *.int.spec.ts (real nats-server). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 60000,
  watchman: false,
};
