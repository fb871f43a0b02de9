#!/usr/bin/env bash
# One command from a fresh clone: installs what is missing (system libtorch + OpenBLAS + the Fashion-MNIST
# package via apt-get when run as root; otherwise prints the exact command), runs `npm ci`, builds the native
# addon and the TypeScript, then runs the main job on the default data set.
#   ./scripts/setup.sh            install, build, run the main job
#   ./scripts/setup.sh --no-run   install and build only (what CI uses)
set -euo pipefail
cd "$(dirname "$0")/.."

run_main=1
for arg in "$@"; do
  case "$arg" in
    --no-run) run_main=0 ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "setup: unknown option $arg" >&2; exit 2 ;;
  esac
done

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "setup: Node.js >= 20 is required (found $(node --version 2>/dev/null || echo none))." >&2
  exit 1
fi

# System packages the project needs. libtorch comes from Debian/Ubuntu unless LIBTORCH names another build.
pkgs=(g++ make python3 libopenblas0-pthread dataset-fashion-mnist)
# redis-server: the queue executor's server (`--executor queue`); its tests start their own on a free port.
pkgs+=(redis-server)
if [ -z "${LIBTORCH:-}" ]; then pkgs+=(libtorch-dev); fi
# Optional: chromium, for the tests that open reports in a real browser (they skip without it; CI requires it).
optional=(chromium)

is_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
missing=(); missing_optional=()
for p in "${pkgs[@]}"; do is_installed "$p" || missing+=("$p"); done
for p in "${optional[@]}"; do is_installed "$p" || missing_optional+=("$p"); done
if [ "${#missing[@]}" -gt 0 ] || [ "${#missing_optional[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    if [ "${#missing[@]}" -gt 0 ]; then
      echo "setup: installing ${missing[*]}"
      apt-get install -y -qq --no-install-recommends "${missing[@]}"
    fi
    if [ "${#missing_optional[@]}" -gt 0 ]; then
      echo "setup: installing ${missing_optional[*]} (optional, for the browser tests)"
      apt-get install -y -qq --no-install-recommends "${missing_optional[@]}" ||
        echo "setup: warning: could not install ${missing_optional[*]}; the browser tests will be skipped" >&2
    fi
  elif [ "${#missing[@]}" -gt 0 ]; then
    echo "setup: these system packages are missing: ${missing[*]}" >&2
    echo "setup: run this, then run ./scripts/setup.sh again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]} ${missing_optional[*]}" >&2
    exit 1
  else
    echo "setup: optional: 'sudo apt-get install -y ${missing_optional[*]}' enables the browser tests" >&2
  fi
fi

echo "setup: npm ci"
npm ci --no-audit --no-fund
echo "setup: building the native engine and the TypeScript"
npm run build

if [ "$run_main" = 1 ]; then
  echo "setup: running the main job: ./bin/enough estimate --data builtin:fashion-mnist --target accuracy=0.90 --budget 10m"
  ./bin/enough estimate --data builtin:fashion-mnist --target accuracy=0.90 --budget 10m
fi
