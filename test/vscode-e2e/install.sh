#!/usr/bin/env bash
# Installs what the VS Code end-to-end test needs, cached between CI runs on one machine:
# Debian's chromium and ripgrep (and libkrb5-dev, which code-server's native modules build against),
# code-server 4.100.3 from npm (its ripgrep download satisfied from Debian's `rg`, since only the npm
# registry and Debian are reachable), and playwright-core (no browser download: it drives
# /usr/bin/chromium). Prints the code-server folder's path on its last line.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
PLAYWRIGHT_CORE_VERSION=1.65.2
cache="${FOLLOWUP_CI_CACHE:-/var/cache/followup-ci}"
if ! mkdir -p "$cache" 2>/dev/null || [ ! -w "$cache" ]; then cache="${HOME}/.cache/followup-ci"; mkdir -p "$cache"; fi
prefix="$cache/code-server-$CODE_SERVER_VERSION"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/rg ] || missing+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
if [ "${#missing[@]}" -gt 0 ]; then
    echo "apt-get install -y ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq >&2
    $sudo apt-get install -y --no-install-recommends "${missing[@]}" >&2
fi

if [ ! -x "$prefix/node_modules/.bin/code-server" ] || [ ! -e "$prefix/node_modules/code-server/lib/vscode/node_modules.asar" ] \
    || [ ! -d "$prefix/node_modules/playwright-core" ]; then
    echo "installing code-server $CODE_SERVER_VERSION and playwright-core $PLAYWRIGHT_CORE_VERSION into $prefix" >&2
    rm -rf "$prefix"
    mkdir -p "$prefix/tmp/vscode-ripgrep-cache-1.15.11"
    # @vscode/ripgrep's postinstall looks in $TMPDIR/vscode-ripgrep-cache-<version>/ for its download.
    tar -czf "$prefix/tmp/vscode-ripgrep-cache-1.15.11/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C /usr/bin rg
    echo '{ "name": "followup-vscode-e2e-tools", "private": true }' > "$prefix/package.json"
    (
        cd "$prefix"
        export TMPDIR="$prefix/tmp" npm_config_yes=true npm_config_unsafe_perm=true PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
        npm install --no-audit --no-fund --foreground-scripts "code-server@$CODE_SERVER_VERSION" "playwright-core@$PLAYWRIGHT_CORE_VERSION" >&2
    )
fi
echo "$prefix"
