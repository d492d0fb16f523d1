#!/usr/bin/env bash
# Checks docker/Dockerfile without a Docker engine. It reproduces the image's stages in a temporary
# directory (build stage → prod-deps stage → runtime stage, following the Dockerfile's COPY lines),
# then starts the runtime the way the image does (its CMD, its ENV, an otherwise empty environment)
# and checks what the image promises:
#   - no dev dependency in the runtime's node_modules;
#   - the image's own HEALTHCHECK command passes (GET /health/live), and GET /health/ready is 200;
#   - POST /mcp without a token is a JSON-RPC 401 with WWW-Authenticate: Bearer (MCP is served);
#   - SIGTERM (the image's STOPSIGNAL) drains and exits 0.
# The runtime listens on 127.0.0.1 (the image uses 0.0.0.0) and points Integration.app at a closed
# port: nothing here needs the network. The process and the temporary directory are removed on any
# exit, failed or not (trap); KEEP_WORK=1 keeps the directory and prints its path.
#
#   bash scripts/verify-docker-image.sh          # by hand; test/docker-image.e2e-spec.ts runs it in npm test
#   DOCKERFILE=path  another Dockerfile (default docker/Dockerfile)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DOCKERFILE="${DOCKERFILE:-$ROOT/docker/Dockerfile}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/mcp-image.XXXXXX")"
RUNTIME_PID=""
# npm 11 (Node 24) turns on Node's module compile cache, by default in $TMPDIR/node-compile-cache:
# keep it inside the work directory, so nothing is left behind.
export NODE_COMPILE_CACHE="$WORK/node-compile-cache"

cleanup() {
  local status=$?
  if [ -n "$RUNTIME_PID" ] && kill -0 "$RUNTIME_PID" 2>/dev/null; then kill -KILL "$RUNTIME_PID" 2>/dev/null || true; fi
  if [ "${KEEP_WORK:-}" = "1" ]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
  echo "verify-docker-image: $*" >&2
  [ -f "$WORK/runtime.log" ] && sed 's/^/  runtime: /' "$WORK/runtime.log" >&2
  exit 1
}

[ -f "$DOCKERFILE" ] || fail "no Dockerfile at $DOCKERFILE"
mkdir -p "$WORK/build" "$WORK/prod-deps" "$WORK/runtime"

# A stage's COPY sources (not --from), read from the Dockerfile itself.
stage_copies() { awk -v stage="$1" '/^FROM /{cur=$NF} cur==stage && /^COPY / && !/--from/ {for (i=2;i<NF;i++) if ($i !~ /^--/) print $i}' "$DOCKERFILE"; }

echo "1/4 build stage (nest build)"
for f in $(stage_copies build); do cp -r "$ROOT/$f" "$WORK/build/"; done
# `npm ci` of the full tree is what the image does; reusing the repo's installed tree keeps this fast.
ln -s "$ROOT/node_modules" "$WORK/build/node_modules"
(cd "$WORK/build" && node node_modules/@nestjs/cli/bin/nest.js build >/dev/null)

echo "2/4 prod-deps stage (npm ci --omit=dev)"
for f in $(stage_copies prod-deps); do cp -r "$ROOT/$f" "$WORK/prod-deps/"; done
(cd "$WORK/prod-deps" && npm ci --omit=dev --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error >/dev/null)

echo "3/4 runtime stage"
cp -r "$WORK/prod-deps/node_modules" "$WORK/runtime/node_modules"
cp -r "$WORK/build/dist" "$WORK/runtime/dist"
cp "$ROOT/package.json" "$WORK/runtime/"
for dev in typescript jest @nestjs/cli ts-node; do
  [ -d "$WORK/runtime/node_modules/$dev" ] && fail "dev dependency $dev leaked into the runtime image"
done

echo "4/4 start the runtime like the image's CMD and check it"
PORT="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
URL="http://127.0.0.1:$PORT"
(cd "$WORK/runtime" && exec env -i PATH="$PATH" HOME="$WORK" NODE_ENV=production PORT="$PORT" HOST=127.0.0.1 \
  INTEGRATION_APP_API_URL=http://127.0.0.1:9 LOG_LEVEL=warn node dist/main.js) >"$WORK/runtime.log" 2>&1 &
RUNTIME_PID=$!

up=""
for _ in $(seq 1 150); do
  kill -0 "$RUNTIME_PID" 2>/dev/null || fail "the runtime exited during start-up"
  if node -e "fetch('$URL/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))" 2>/dev/null; then up=1; break; fi
  sleep 0.2
done
[ -n "$up" ] || fail "the runtime did not answer $URL/health/live within 30 s"

# The Dockerfile's HEALTHCHECK command, exactly as written there, with the image's PORT variable.
PORT="$PORT" node -e '
  const text = require("fs").readFileSync(process.argv[1], "utf8");
  const m = /HEALTHCHECK[\s\S]*?CMD (\[.*\])/.exec(text);
  if (!m) { console.error("no HEALTHCHECK CMD in the Dockerfile"); process.exit(2); }
  const [cmd, ...args] = JSON.parse(m[1]);
  const r = require("child_process").spawnSync(cmd, args, { stdio: "inherit", env: process.env, timeout: 10000 });
  process.exit(r.status === null ? 1 : r.status);
' "$DOCKERFILE" || fail "the image HEALTHCHECK command failed"
echo "ok HEALTHCHECK"

node -e "fetch('$URL/health/ready').then(async r=>{if(r.status!==200){console.error(r.status, await r.text());process.exit(1)}},e=>{console.error(e.message);process.exit(1)})" ||
  fail "GET /health/ready is not 200"
echo "ok /health/ready"

node -e "
  fetch('$URL/mcp', { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' }, body: '{}' })
    .then(async (r) => {
      const body = await r.json();
      const ok = r.status === 401 && /^Bearer/.test(r.headers.get('www-authenticate') ?? '') && body.jsonrpc === '2.0' && body.error?.code === -32002;
      if (!ok) { console.error(r.status, r.headers.get('www-authenticate'), JSON.stringify(body)); process.exit(1); }
    }, (e) => { console.error(e.message); process.exit(1); });
" || fail "POST /mcp without a token is not a JSON-RPC 401"
echo "ok POST /mcp (401 without a token)"

kill -TERM "$RUNTIME_PID"
set +e
wait "$RUNTIME_PID"
code=$?
set -e
RUNTIME_PID=""
[ "$code" = "0" ] || fail "the runtime exited $code on SIGTERM (expected 0)"
echo "ok SIGTERM (exit 0)"
echo "verify-docker-image: ok"
