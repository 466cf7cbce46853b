# The evpn-lens collector for ECS Fargate: the esbuild bundle of infra/aws/collector-main.ts (`npm run build` makes
# dist/collector/index.mjs; it holds every dependency), on the Node.js 24 slim image, as the unprivileged `node` user (uid 1000).
# Build from the repository root after `npm run build`:  docker build -t evpn-lens-collector .
FROM public.ecr.aws/docker/library/node:24.11.1-bookworm-slim

ENV NODE_ENV=production \
    HEALTH_PORT=8080
WORKDIR /app
COPY --chown=1000:1000 dist/collector/ /app/

# The image's unprivileged `node` user (numeric, so that any runtime resolves it).
USER 1000:1000
# BMP (RFC 7854 §3.2: the router connects to the station) and the health/metrics port.
EXPOSE 11019 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.HEALTH_PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "--enable-source-maps", "/app/index.mjs"]
