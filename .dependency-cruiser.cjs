/* global module */
/**
 * The architecture in one picture: which package may use which. `npm run check:layers` (part of
 * `npm test`) fails on any import that breaks these rules.
 *
 *   protocol            shared types and schemas; imports nothing of ours
 *     ^
 *   rooms               the domain: rooms, RoomService, stores, ownership, plugin contract
 *     ^        ^
 *   games    rooms-api  the games (plugins) | the Rooms API over any backend
 *     ^        ^
 *   gameserver, operator   transports and orchestrators around the domain
 *
 *   client (protocol) <- web, loadtest      what players run, and the simulated players
 *
 * A package uses another through its name (`@gamebuddies/rooms`), never through a path into its
 * folder; the domain knows nothing of Socket.IO, Express, Agones or Kubernetes.
 */
const PACKAGES = [
  'protocol',
  'rooms',
  'games',
  'roomsapi',
  'gameserver',
  'operator',
  'client',
  'web',
  'loadtest',
];

/** Which packages each package may import (itself always). */
const ALLOWED = {
  protocol: [],
  rooms: ['protocol'],
  games: ['rooms', 'protocol'],
  roomsapi: ['rooms', 'protocol'],
  gameserver: ['protocol', 'rooms', 'games', 'roomsapi'],
  operator: ['protocol', 'rooms', 'games', 'roomsapi'],
  client: ['protocol'],
  web: ['client', 'protocol'],
  loadtest: ['client', 'protocol'],
};

const layerRules = Object.entries(ALLOWED).map(([pkg, allowed]) => {
  const forbidden = PACKAGES.filter((p) => p !== pkg && !allowed.includes(p));
  return {
    name: `layers-${pkg}`,
    comment: `${pkg} may use only ${allowed.length ? allowed.join(', ') : 'no other package of ours'}`,
    severity: 'error',
    from: { path: `^${pkg}/src/` },
    to: { path: `^(${forbidden.join('|')})/` },
  };
});

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'no-path-into-another-package',
      comment: 'use the package by its name (@gamebuddies/...), not a relative path into its folder',
      severity: 'error',
      from: { path: '^([^/]+)/(src|test)/' },
      to: {
        path: `^(${PACKAGES.join('|')})/`,
        pathNot: ['^$1/', '^[^/]+/dist/'],
        dependencyTypesNot: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'],
      },
    },
    {
      name: 'domain-knows-no-transport',
      comment: 'rooms and games know nothing of Socket.IO, Express, Agones or Kubernetes',
      severity: 'error',
      from: { path: '^(rooms|games|protocol)/src/' },
      to: {
        path: 'node_modules/(socket\\.io|socket\\.io-client|express|@socket\\.io|@google-cloud/agones-sdk|@grpc|@kubernetes)(/|$)',
      },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^[^/]+/src/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: { path: '^[^/]+/src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: ['node_modules', '[^/]+/dist/'] },
    exclude: { path: ['^web/vite\\.config'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.d.ts'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
