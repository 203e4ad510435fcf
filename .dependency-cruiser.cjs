// Architecture rules, checked by `npm run depcheck` and by test/architecture.test.ts:
// the rooms depend one way only (language → adapters → engine → results → fuzz → vm → cli),
// and no module imports itself back through a cycle.
const rooms = ['language', 'adapters', 'engine', 'results', 'fuzz', 'vm', 'cli'];

/** each room may not import any room above it */
const upward = rooms.slice(0, -1).map((room, i) => ({
  name: `${room}-not-upward`,
  comment: `${room}/ sits below ${rooms.slice(i + 1).join(', ')}: it must not import them`,
  severity: 'error',
  from: { path: `^${room}/` },
  to: { path: `^(${rooms.slice(i + 1).join('|')})/` },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'a cycle makes two modules one; split the shared part out below both',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...upward,
    {
      name: 'production-not-tests',
      comment: 'nothing outside test/ and bench/ imports test code',
      severity: 'error',
      from: { pathNot: '^(test|bench)/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    // a cruise of unchanged sources is answered from here (checksums of the files' contents,
    // so uncommitted edits count): ~3 s of CPU become ~1 s in every npm test after the first
    cache: { folder: 'node_modules/.cache/dependency-cruiser', strategy: 'content' },
  },
};
