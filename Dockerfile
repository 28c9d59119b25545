# syntax=docker/dockerfile:1
# Node 24 is the current LTS; Baton also runs on Node 20.19+ and 22.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
# The local page's HTML, CSS and browser modules are served as files, not compiled.
RUN npx tsc -p tsconfig.build.json && cp -r migrations dist/migrations \
  && cp -r src/local/page/index.html src/local/page/assets dist/src/local/page/

FROM node:24-bookworm-slim AS runtime
# git: runs work in git worktrees. tini: forwards SIGTERM so running jobs get their grace period.
# bubblewrap: the sandbox for everything the agent can cause to run (its bash tool, the install
# step, the test runs). It is not setuid here: as the unprivileged node user it builds its
# sandbox in a user namespace, which Docker's defaults refuse. Run the container with
#   docker run --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
#              --security-opt systempaths=unconfined …
# No --privileged and no --cap-add: bwrap needs no capability outside its own namespaces.
# - seccomp: Docker's default profile refuses clone/unshare with CLONE_NEWUSER to a process
#   without CAP_SYS_ADMIN ("bwrap: No permissions to creating new namespace"). Narrower: a copy
#   of the default profile that also allows clone and unshare with that flag.
# - apparmor (AppArmor hosts only): docker-default denies mount ("bwrap: Failed to make / slave:
#   Permission denied"). On Ubuntu 23.10+ hosts, kernel.apparmor_restrict_unprivileged_userns=1
#   then refuses the namespace to an unconfined process ("setting up uid map: Permission denied"):
#   there, load an AppArmor profile that allows userns and mount, and pass apparmor=<its name>.
# - systempaths: Docker masks files under /proc, and the kernel then refuses the fresh /proc of
#   the sandbox's pid namespace ("Can't mount proc on /newroot/proc"). Binding the container's
#   /proc instead would show the sandbox Baton's own /proc/<pid>/environ, so Baton never does.
# Kubernetes: seccompProfile and appArmorProfile Unconfined, procMount Unmasked.
# At start-up Baton runs a real command under bwrap; where it fails, baton.yml's
# sandbox.when_unavailable decides (refuse agent runs, the default, or run unsandboxed) and the
# log gives bwrap's own error with the flag to add.
RUN apt-get update \
  && apt-get install -y --no-install-recommends git ca-certificates tini bubblewrap \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# A container is a deployment: local mode (the Slack emulator for trying Baton on one machine) is
# off unless asked for; with LOCAL_MODE=on, also set LOCAL_HOST=0.0.0.0 and publish LOCAL_PORT.
ENV NODE_ENV=production DATA_DIR=/data PORT=3000 LOCAL_MODE=off
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY manifest.yml baton.example.yml ./
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
# --max-semi-space-size=4: V8's young generation capped at 12 MiB instead of 48 (src/cli.ts says why).
CMD ["node", "--max-semi-space-size=4", "dist/src/cli.js", "start"]
