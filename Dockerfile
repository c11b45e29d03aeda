# syntax=docker/dockerfile:1
#
# Newsdesk: the bot plus Debian's Chromium, which whatsapp-web.js drives through puppeteer.
#
#   docker build -t newsdesk .
#   docker run -d --name newsdesk --init --restart unless-stopped --stop-timeout 60 \
#     -v newsdesk-data:/app/data -e NEWSDESK_CHANNEL=120363012345678901@newsletter newsdesk
#   docker logs -f newsdesk          # first start: pair the phone (QR or pairing code)
#   docker exec newsdesk newsdesk …  # admin CLI, same database
#
# A named volume takes /app/data's owner from the image; a bind-mounted host folder must be
# writable by uid 1000 (the image's `node` user). With or without `docker run --init` the image's
# tini reaps Chromium's children: it runs as a subreaper (-s) when it is not PID 1.
#
# Stopping: on SIGTERM the bot finishes or abandons the post in flight, closes the browser and the
# database, then exits 0. Closing Chromium can take longer than Docker's default 10 s, after which
# Docker sends SIGKILL and leaves a stale profile behind: use `docker stop -t 60`, or
# `stop_grace_period: 60s` in compose (the bot itself gives up waiting after 45 s).
#
# Node 24 (LTS): Node 20 reached its end of life in April 2026. CI runs the tests on 24 and on 20, which
# stays the floor in package.json. Bumping Node: change both FROM lines together; better-sqlite3 is
# compiled in the first stage against that Node's ABI and copied into the second.

FROM node:24-bookworm-slim AS build

# python3, make and g++ build better-sqlite3 from source when no prebuilt binary can be fetched.
# Versions come from the Debian release the base image pins, hence no apt pins here.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

# whatsapp-web.js depends on puppeteer, whose install step would otherwise download a Chrome.
# nodedir: node-gyp compiles against the headers this image ships in /usr/local/include/node
# instead of downloading them, so a build that reaches only the npm registry and Debian works too.
ENV PUPPETEER_SKIP_DOWNLOAD=true \
    npm_config_nodedir=/usr/local

WORKDIR /app

# Dependencies first, so a source change does not reinstall them. (npm ci runs the package's
# `prepare` build script, which finds no src/ yet and leaves the build to the step below.)
COPY package.json package-lock.json .npmrc .puppeteerrc.cjs ./
COPY scripts ./scripts
# patches/: reviewed fixes to dependencies, applied by the `postinstall` script (patch-package).
COPY patches ./patches
RUN npm ci --no-audit --no-fund

COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund


FROM node:24-bookworm-slim AS runtime

# chromium: the browser whatsapp-web.js drives. Fonts: Latin/Greek/Cyrillic and the other scripts
# Noto covers, Chinese/Japanese/Korean, colour emoji, and Liberation (Chromium's usual
# recommendation) for pages that ask for Arial or Times. tini reaps Chromium's children.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      chromium \
      fonts-liberation \
      fonts-noto-cjk \
      fonts-noto-color-emoji \
      fonts-noto-core \
      tini \
 && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production \
    PUPPETEER_SKIP_DOWNLOAD=true \
    PUPPETEER_EXECUTABLE_PATH=/usr/bin/chromium \
    NEWSDESK_DATA_DIR=/app/data \
    NEWSDESK_HTTP_HOST=0.0.0.0 \
    NEWSDESK_HTTP_PORT=8080

WORKDIR /app

# The code stays owned by root, so the bot cannot rewrite itself; it writes only to /app/data
# (the WhatsApp adapter turns off whatsapp-web.js's ./.wwebjs_cache for this reason).
COPY package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# `docker exec <container> newsdesk …` runs the admin CLI (dist/cli.js) with the bot's environment.
COPY --chmod=0755 docker/newsdesk /usr/local/bin/newsdesk

# /app/data holds the database and the WhatsApp session (<data>/session): keep it on a volume, or
# the phone has to pair again after every new container.
RUN mkdir -p /app/data \
 && chown node:node /app/data

# The node image's unprivileged user (uid 1000). Chromium runs with --no-sandbox (set by the
# WhatsApp adapter), so the container itself is the boundary: keep it non-root.
USER node

VOLUME /app/data

# API, /login (QR page), /healthz, /readyz, /metrics. Publish it on a private address only
# (e.g. -p 127.0.0.1:8080:8080): health and metrics need no token.
EXPOSE 8080

# Process alive and database answering (not WhatsApp: a logged-out bot must not be restarted in a
# loop; /readyz reports that). Node has fetch, so no curl is needed in the image.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.NEWSDESK_HTTP_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# tini forwards SIGTERM to node only (no -g): node must close Chromium itself, through
# client.destroy(), so the profile is left clean. Stale Chromium locks from an unclean stop are
# removed by the WhatsApp adapter at start.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "-s", "--"]
# The command `npm start` runs after its build step.
CMD ["node", "dist/main.js"]
