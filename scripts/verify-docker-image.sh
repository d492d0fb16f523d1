#!/usr/bin/env bash
# Reproduces docker/Dockerfile's stages without a Docker engine: build stage → prod-deps stage →
# runtime stage in clean temp directories, then starts the runtime like the image's CMD.
# Used by test/docker-image.e2e-spec.ts; run by hand with: bash scripts/verify-docker-image.sh
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="${1:-$(mktemp -d)}"
mkdir -p "$WORK/build" "$WORK/prod-deps" "$WORK/runtime"

# The build stage's COPY sources, read from the Dockerfile itself.
stage_copies() { awk -v stage="$1" '/^FROM /{cur=$NF} cur==stage && /^COPY / && !/--from/ {for (i=2;i<NF;i++) if ($i !~ /^--/) print $i}' "$ROOT/docker/Dockerfile"; }

for f in $(stage_copies build); do cp -r "$ROOT/$f" "$WORK/build/"; done
# `npm ci` of the full tree is what the image does; reusing the repo's installed tree keeps this fast.
ln -s "$ROOT/node_modules" "$WORK/build/node_modules"
(cd "$WORK/build" && node node_modules/@nestjs/cli/bin/nest.js build >/dev/null)

for f in $(stage_copies prod-deps); do cp -r "$ROOT/$f" "$WORK/prod-deps/"; done
(cd "$WORK/prod-deps" && npm ci --omit=dev --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error >/dev/null)

cp -r "$WORK/prod-deps/node_modules" "$WORK/runtime/node_modules"
cp -r "$WORK/build/dist" "$WORK/runtime/dist"
cp "$ROOT/package.json" "$WORK/runtime/"
if [ -d "$WORK/runtime/node_modules/typescript" ] || [ -d "$WORK/runtime/node_modules/jest" ]; then
  echo "dev dependencies leaked into the runtime image" >&2; exit 1
fi
echo "$WORK/runtime"
