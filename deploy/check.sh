#!/usr/bin/env bash
# Static checks of compose.yaml and the Dockerfile's packaging, for machines without a Docker
# engine (neither file was run on one here):
#   1. compose.yaml through `docker compose config -q` (Compose v2), else `docker-compose config -q`
#      (v1, which does not know the top-level `name:`, so a copy without it), else a YAML parse;
#   2. every worker service has its own id, data volume and module;
#   3. the Dockerfile's gathering step, run over this checkout's target/ directories (build them
#      first: ./mvnw -q -B -Dmaven.test.skip=true package): every runnable module has its jar and a
#      lib/ holding every entry of the jar's Class-Path, and fulcrum-admin's does not hold the worker.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
tmp=$(mktemp --suffix=.yaml)
out=$(mktemp -d)
trap 'rm -rf "$tmp" "$out"' EXIT

if docker compose version >/dev/null 2>&1; then
  docker compose -f compose.yaml config -q && echo "compose.yaml: valid (docker compose config)"
elif command -v docker-compose >/dev/null 2>&1; then
  grep -v '^name:' compose.yaml >"$tmp"
  docker-compose -f "$tmp" --project-directory "$ROOT" config -q && echo "compose.yaml: valid (docker-compose v1, without name:)"
fi

python3 - <<'PY'
import yaml
d = yaml.safe_load(open("compose.yaml"))
workers = [n for n in d["services"] if n.startswith("fulcrum-")]
assert workers == ["fulcrum-1", "fulcrum-2", "fulcrum-3"], workers
for n in workers:
    s = d["services"][n]
    c = s["command"]
    assert c[c.index("--id") + 1] == n, n
    assert s["environment"]["FULCRUM_MODULE"] == "fulcrum-worker", n
    assert s["volumes"] == [n + "-data:/data"] and n + "-data" in d["volumes"], n
    assert c[c.index("--data-dir") + 1] == "/data", n
assert d["services"]["router"]["environment"]["FULCRUM_MODULE"] == "broker-router"
print("compose.yaml: router and workers", workers, "each with its own id and data volume")
for n in ["router"] + workers:
    s = d["services"][n]
    uri = s["command"][s["command"].index("--uri") + 1]
    user = uri.split("//", 1)[1].split("@", 1)[0]
    assert ":" not in user and user != "guest", n + " logs in as guest or has a password in its command: " + uri
    assert "RABBITMQ_PASSWORD" in s["environment"], n
assert all(p.startswith("127.0.0.1:") for p in d["services"]["rabbitmq"]["ports"]), "ports published beyond loopback"
print("compose.yaml: every component logs in as its own user, password from the environment; no guest")
PY

for marker in */src/main/resources/runnable.marker; do
  module="${marker%%/*}"
  [ -f "$module/target/$module.jar" ] || { echo "$module/target/$module.jar missing: build first" >&2; exit 1; }
  mkdir -p "$out/$module"
  cp "$module/target/$module.jar" "$out/$module/"
  cp -r "$module/target/lib" "$out/$module/lib"
  for entry in $(unzip -p "$out/$module/$module.jar" META-INF/MANIFEST.MF | tr -d '\r' \
      | sed -n '/^Class-Path:/,/^[^ ]/p' | sed -e 's/^Class-Path: //' -e 's/^ //' | grep -v '^[A-Z][A-Za-z-]*:' | tr -d '\n'); do
    [ -f "$out/$module/$entry" ] || { echo "$module: $entry of its Class-Path is not in lib/" >&2; exit 1; }
  done
done
if ls "$out/fulcrum-admin/lib" | grep -q '^fulcrum-worker'; then
  echo "fulcrum-admin/lib holds the worker daemon" >&2
  exit 1
fi
echo "Dockerfile gathering: $(ls "$out" | tr '\n' ' ')each with its jar and a complete lib/"
