#!/usr/bin/env bash
# rsemu-rsd smoke test without FRR, root or namespaces: hand-written BGP
# peers (rsd_smoke.py) on 127.10.0.0/16, port 11179. See rsd_smoke.py.
# Usage: rsd_smoke.sh PATH/rsemu-rsd PATH/rsemu
set -u
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 77; }
exec python3 "$(dirname "$0")/rsd_smoke.py" "$@"
