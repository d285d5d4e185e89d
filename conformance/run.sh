#!/usr/bin/env bash
# Starts a real cdp on a temporary data directory and runs suites we did not
# write against it: graphql-http's audits, and the graphql-ws and graphql-sse
# clients (graphql-sse in both its modes) subscribing to profileUpdated. Node
# comes from Debian's packages when the machine has none.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "installing Node.js from Debian's packages"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  fi
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "SKIP conformance: node and npm are not installed and could not be installed with apt-get"
  exit 0
fi

npm ci --no-audit --no-fund --loglevel=error

tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
go build -o "$tmp/cdp" ..
CDP_DATA_DIR="$tmp/data" CDP_ADDR=127.0.0.1:0 CDP_LOG_FORMAT=json "$tmp/cdp" serve >"$tmp/out" 2>"$tmp/log" &
pid=$!
for _ in $(seq 1 600); do
  grep -q '^eyJ' "$tmp/out" 2>/dev/null && break
  kill -0 "$pid" 2>/dev/null || { echo "cdp did not start:"; cat "$tmp/log"; exit 1; }
  sleep 0.1
done
url=$(sed -n 's/^cdp is serving GraphQL on //p' "$tmp/out")
token=$(grep '^eyJ' "$tmp/out")
[ -n "$url" ] && [ -n "$token" ] || { echo "cdp printed no URL or token:"; cat "$tmp/out" "$tmp/log"; exit 1; }

status=0
node http-audit.mjs "$url" "$token" || status=1
node subscribe.mjs ws "$url" "$token" || status=1
node subscribe.mjs sse "$url" "$token" || status=1
node subscribe.mjs sse-single "$url" "$token" || status=1
if grep -q '"level":"ERROR"' "$tmp/log"; then echo "cdp logged errors:"; grep '"level":"ERROR"' "$tmp/log"; status=1; fi
exit $status
