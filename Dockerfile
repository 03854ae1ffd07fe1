# syntax=docker/dockerfile:1.7
# Both images, from the repository root:
#   docker build --target gameserver -t ghcr.io/gamebuddies/rooms-gameserver:dev .
#   docker build --target operator   -t ghcr.io/gamebuddies/rooms-operator:dev .
# (`gameserver-dev` and `operator-dev` are what `tilt up` builds, from the host's `npm run build`.)
ARG NODE_IMAGE=node:22-bookworm-slim

# The workspace manifests alone, so dependency layers are cached until a package.json changes.
FROM scratch AS manifests
COPY package.json package-lock.json /
COPY protocol/package.json /protocol/
COPY rooms/package.json /rooms/
COPY games/package.json /games/
COPY roomsapi/package.json /roomsapi/
COPY client/package.json /client/
COPY gameserver/package.json /gameserver/
COPY operator/package.json /operator/
COPY web/package.json /web/
COPY loadtest/package.json /loadtest/

# 1. Compile the TypeScript and the web page with every dev dependency.
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY --from=manifests / ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json ./
COPY protocol protocol
COPY rooms rooms
COPY games games
COPY roomsapi roomsapi
COPY client client
COPY gameserver gameserver
COPY operator operator
COPY web web
RUN npx tsc -b protocol rooms games roomsapi client gameserver operator && npm run build --silent -w web

# 2. Production dependencies of one workspace only (no dev tools; the game server image has no
#    Kubernetes client, the operator image no web page).
FROM ${NODE_IMAGE} AS deps-gameserver
WORKDIR /app
COPY --from=manifests / ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --workspace gameserver --no-audit --no-fund

FROM ${NODE_IMAGE} AS deps-operator
WORKDIR /app
COPY --from=manifests / ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --workspace operator --no-audit --no-fund

# 3. The runtime both share: no compiler, no npm cache, tini as PID 1 so SIGTERM reaches Node (a
#    game server drains its rooms on SIGTERM), the shared workspaces' compiled output (protocol,
#    rooms, games, rooms-api: the operator image has no game server in it).
FROM ${NODE_IMAGE} AS runtime
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/protocol/package.json protocol/
COPY --from=build /src/protocol/dist protocol/dist
COPY --from=build /src/rooms/package.json rooms/
COPY --from=build /src/rooms/dist rooms/dist
COPY --from=build /src/games/package.json games/
COPY --from=build /src/games/dist games/dist
COPY --from=build /src/roomsapi/package.json roomsapi/
COPY --from=build /src/roomsapi/dist roomsapi/dist
ENTRYPOINT ["/usr/bin/tini", "--"]

FROM runtime AS gameserver-base
COPY --from=deps-gameserver /app/node_modules node_modules
COPY --from=build /src/gameserver/package.json gameserver/
COPY --from=build /src/gameserver/dist gameserver/dist
COPY --from=build /src/web/dist web/dist
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "gameserver/dist/main.js"]

FROM runtime AS operator-base
COPY --from=deps-operator /app/node_modules node_modules
COPY --from=build /src/operator/package.json operator/
COPY --from=build /src/operator/dist operator/dist
EXPOSE 8080 8081
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PROBE_PORT||8081)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "operator/dist/main.js"]

# The images the chart runs: uid 1000 (the image's `node` user), nothing written at run time, so
# they work with readOnlyRootFilesystem.
FROM gameserver-base AS gameserver
USER 1000:1000

FROM operator-base AS operator
USER 1000:1000

# What `tilt up` builds: no compile in the image, the host's compiled output (`npm run dev:watch`)
# copied in and owned by the app user, so live update syncs `dist/` folders into the running
# container (the chart's dev values allow a writable root) and a source edit never rebuilds it.
FROM ${NODE_IMAGE} AS dev-runtime
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY --chown=1000:1000 package.json ./
COPY --chown=1000:1000 protocol/package.json protocol/
COPY --chown=1000:1000 protocol/dist protocol/dist
COPY --chown=1000:1000 rooms/package.json rooms/
COPY --chown=1000:1000 rooms/dist rooms/dist
COPY --chown=1000:1000 games/package.json games/
COPY --chown=1000:1000 games/dist games/dist
COPY --chown=1000:1000 roomsapi/package.json roomsapi/
COPY --chown=1000:1000 roomsapi/dist roomsapi/dist
ENTRYPOINT ["/usr/bin/tini", "--"]

FROM dev-runtime AS gameserver-dev
COPY --from=deps-gameserver --chown=1000:1000 /app/node_modules node_modules
COPY --chown=1000:1000 gameserver/package.json gameserver/
COPY --chown=1000:1000 gameserver/dist gameserver/dist
COPY --chown=1000:1000 web/dist web/dist
USER 1000:1000
EXPOSE 3000
CMD ["node", "gameserver/dist/main.js"]

FROM dev-runtime AS operator-dev
COPY --from=deps-operator --chown=1000:1000 /app/node_modules node_modules
COPY --chown=1000:1000 operator/package.json operator/
COPY --chown=1000:1000 operator/dist operator/dist
USER 1000:1000
EXPOSE 8080 8081
CMD ["node", "operator/dist/main.js"]
