# syntax=docker/dockerfile:1
# Tessera's container image, in two stages. Containers cannot be built on the machines this
# project is developed and tested on, so every RUN step below is a command that is run there:
# test/release-package.test.ts requires these RUN lines to be exactly the ones it runs itself
# (`npm ci` is CI's first step, .ci/run), and fails when one is added or changed here alone.
# Needs BuildKit (Docker 23+ builds with it by default): RUN --mount, and WORKDIR created by USER.
ARG NODE_IMAGE=node:20-bookworm-slim

# Stage 1: install every dependency, build (npm ci's `prepare` runs `npm run build`), and make the
# release tarball exactly as `npm run release` does anywhere else.
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY . .
RUN npm ci --no-audit --no-fund
RUN npm run release -- --out /release

# Stage 2: the tarball installed with production dependencies only, at the versions of its
# npm-shrinkwrap.json (the lock file the tests ran with). No compiler, no sources, no tests.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production DATA_DIR=/var/lib/tessera HOST=0.0.0.0 PORT=8080
WORKDIR /opt/tessera
RUN --mount=type=bind,from=build,source=/release,target=/release --mount=type=cache,target=/root/.npm tar xzf /release/tessera-*.tgz --strip-components=1 && npm ci --omit=dev --no-audit --no-fund
# Files of /opt/tessera stay root's and read-only to the server, which runs as `node` in its data
# folder (embedded database, master key when TESSERA_MASTER_KEY is not set): mount a volume there.
USER node
WORKDIR /var/lib/tessera
VOLUME /var/lib/tessera
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/readyz').then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM (docker stop) drains and stops gracefully; give it TESSERA_SHUTDOWN_DRAIN_SECONDS + 10 s
# (docker stop --time, compose stop_grace_period).
STOPSIGNAL SIGTERM
CMD ["node", "/opt/tessera/bin/tessera.js", "serve"]
