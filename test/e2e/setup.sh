#!/usr/bin/env bash
# Installs what the end-to-end suite needs, outside the project's node_modules so that `npm ci`
# for the unit tests stays light:
#   test/e2e/.tools/node_modules/code-server   (4.99.3: the last release that runs on Node 20)
#   test/e2e/.tools/node_modules/playwright-core
# plus the Debian packages its native-module build needs and the chromium it drives.
#
# Idempotent: when both are already installed it only checks and returns in about a second.
# Usage: bash test/e2e/setup.sh [--force]
set -euo pipefail

CODE_SERVER_VERSION=4.99.3
# The versions @vscode/ripgrep (as pinned by code-server 4.99.3) looks for in its download cache.
RIPGREP_PKG_VERSION=1.15.11
RIPGREP_TAG=v13.0.0-10

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tools="$here/.tools"
started=$(date +%s)
log() { printf '[e2e setup %3ds] %s\n' "$(( $(date +%s) - started ))" "$*"; }

force=0
[[ "${1:-}" == "--force" ]] && force=1

installed_version() {
  node -e "try{console.log(require('$tools/node_modules/$1/package.json').version)}catch{}" 2>/dev/null
}

if [[ $force == 0 && "$(installed_version code-server)" == "$CODE_SERVER_VERSION" && -n "$(installed_version playwright-core)" \
      && -x /usr/bin/chromium && -f "$tools/node_modules/code-server/out/node/entry.js" ]]; then
  log "already installed: code-server $(installed_version code-server), playwright-core $(installed_version playwright-core), $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
  exit 0
fi

# ---- Debian packages -----------------------------------------------------------------------------
# Compilers and headers for VS Code's native modules (their prebuilt downloads are not reachable
# offline, so node-gyp builds them), ripgrep to stand in for the downloaded one, chromium to drive.
apt_packages=(build-essential pkg-config python3 libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev ripgrep chromium)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if (( ${#missing[@]} )); then
  log "apt-get install ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) != 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq || log "apt-get update failed; trying the install with the current lists"
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# ---- ripgrep from Debian, where @vscode/ripgrep's postinstall looks before downloading -------------
tmp_root="${TMPDIR:-/tmp}"
rg_cache="$tmp_root/vscode-ripgrep-cache-$RIPGREP_PKG_VERSION"
rg_tar="$rg_cache/ripgrep-$RIPGREP_TAG-x86_64-unknown-linux-musl.tar.gz"
if [[ ! -s "$rg_tar" ]]; then
  log "ripgrep cache tarball from /usr/bin/rg → $rg_tar"
  mkdir -p "$rg_cache"
  stage="$(mktemp -d)"
  cp /usr/bin/rg "$stage/rg"
  tar -czf "$rg_tar" -C "$stage" rg
  rm -rf "$stage"
fi

# ---- npm packages into .tools ----------------------------------------------------------------------
mkdir -p "$tools"
if [[ ! -f "$tools/package.json" ]]; then
  cat > "$tools/package.json" <<JSON
{ "name": "cortex-m-sim-e2e-tools", "private": true, "description": "Installed by test/e2e/setup.sh; not part of the extension." }
JSON
fi
log "npm install code-server@$CODE_SERVER_VERSION playwright-core (builds native modules; a few minutes)"
# unsafe-perm: code-server's postinstall refuses to run as root otherwise.
# yes: node-pty's postinstall runs `npx node-gyp`, which would stop to ask.
(cd "$tools" && npm_config_unsafe_perm=true npm_config_yes=true \
  npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION" playwright-core)

# ---- check --------------------------------------------------------------------------------------
"$tools/node_modules/.bin/code-server" --version >/dev/null
[[ -x "$tools/node_modules/@vscode/ripgrep/bin/rg" || -n "$(find "$tools/node_modules" -path '*vscode/ripgrep/bin/rg' -print -quit)" ]] \
  || { log "ripgrep binary missing after install"; exit 1; }
log "done: code-server $(installed_version code-server), playwright-core $(installed_version playwright-core)"
