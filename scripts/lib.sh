# Shared by scripts/dev, scripts/test and .ci/run: pinned tool versions and the idempotent
# set-up of everything Flipdesk needs on a fresh Debian machine of this kind.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CARGO_LEPTOS_VERSION="0.3.11"
WASM_BINDGEN_VERSION="0.2.130"
# wasm-opt (binaryen) comes from npm: cargo-leptos looks for it on the PATH.
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# Reuse one target directory outside the clone, so fresh clones on the same machine build fast.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/flipdesk/target}"
# Same value cargo-leptos sets, so plain `cargo test` and `cargo leptos build` share artifacts.
export LEPTOS_OUTPUT_NAME=flipdesk

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "need root for: $*" >&2; return 1; fi
}

apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

ensure_rust_tools() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "adding the wasm32 target"
    rustup target add wasm32-unknown-unknown
  fi
  if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    log "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 17 minutes, once per machine)"
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --ignore-rust-version --features no_downloads
  fi
  if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
    log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
    # no --locked: a locked dependency is missing from this registry (see TOOLCHAIN.md)
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
  fi
}

ensure_node_packages() {
  if [ ! -x "$ROOT/node_modules/.bin/wasm-opt" ] || [ ! -f "$ROOT/node_modules/echarts/dist/echarts.common.min.js" ]; then
    log "installing wasm-opt (binaryen) and ECharts from npm"
    (cd "$ROOT" && npm install --no-audit --no-fund --silent)
  fi
  # The dashboard's charts load ECharts (line, bar, pie, legend, tooltip) from /vendor, only
  # on pages that draw; cargo-leptos copies public/ into the site.
  mkdir -p "$ROOT/public/vendor"
  cp "$ROOT/node_modules/echarts/dist/echarts.common.min.js" "$ROOT/public/vendor/echarts.min.js"
}

ensure_browser_tools() {
  if [ ! -x /usr/bin/chromium ]; then
    log "installing Debian's Chromium"
    apt_install chromium chromium-driver
  fi
  if [ ! -d "$ROOT/end2end/node_modules/@playwright/test" ] || [ ! -d "$ROOT/end2end/node_modules/@seriousme/openapi-schema-validator" ]; then
    log "installing Playwright (no browser download) and the OpenAPI validator"
    (cd "$ROOT/end2end" && npm install --no-audit --no-fund --silent)
  fi
}

# cargo-leptos' --precompress writes gzip at a middling level (its .gz of the WebAssembly is
# ~15% larger than gzip -9's): rewrite the .gz copies at the best level. The server sends
# whichever copy the browser accepts, so every byte saved here is saved on every first visit.
recompress_site() {
  local pkg="$1/pkg" f
  for f in "$pkg"/*.wasm "$pkg"/*.js "$pkg"/*.css "$1"/vendor/*.js; do
    [ -f "$f" ] && [ -f "$f.gz" ] && gzip -9 -n -c "$f" > "$f.gz"
  done
  return 0
}

# The release WebAssembly is built by a pinned nightly with the standard library rebuilt to
# abort on a panic without formatting it (`-Cpanic=immediate-abort`): the panic machinery is
# about an eighth of the storefront's first chunk (267.6 KB brotli on stable, 236.1 KB here;
# issue #19). Only this build uses nightly; the server, the tests and debug builds stay on
# stable. Its own target directory, so the two toolchains never rebuild each other's files.
# Without panic messages, the file/line/column of every panic site is dead weight:
# `-Zlocation-detail=none` drops them (1% of the whole app's gzip).
RELEASE_WASM_TOOLCHAIN="nightly-2026-05-19"
ensure_release_wasm_toolchain() {
  if ! rustup component list --toolchain "$RELEASE_WASM_TOOLCHAIN" --installed 2>/dev/null | grep -q '^rust-src'; then
    log "installing Rust $RELEASE_WASM_TOOLCHAIN with rust-src (release WebAssembly only, once per machine)"
    rustup toolchain install "$RELEASE_WASM_TOOLCHAIN" --profile minimal --component rust-src
  fi
}

# Builds the release site (WebAssembly, JavaScript, CSS, with brotli and gzip copies) into
# target/site and puts cargo-leptos' list of hashed names next to the stable release server.
build_release_site() {
  ensure_release_wasm_toolchain
  local front_target="$CARGO_TARGET_DIR/../release-wasm"
  clear_site_pkg
  (
    export RUSTUP_TOOLCHAIN="$RELEASE_WASM_TOOLCHAIN" CARGO_TARGET_DIR="$front_target"
    export CARGO_UNSTABLE_BUILD_STD="std,panic_abort"
    export RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none"
    cd "$ROOT" && cargo leptos build --release --split --precompress --frontend-only
  )
  local site_root="$ROOT/target/site"
  [ -d "$site_root" ] || site_root="$front_target/site"
  recompress_site "$site_root"
  mkdir -p "$CARGO_TARGET_DIR/release"
  cp "$front_target/release/hash.txt" "$CARGO_TARGET_DIR/release/hash.txt"
  RELEASE_SITE_ROOT="$site_root"
}

# File names carry a content hash (Cargo.toml `hash-files`), so every build writes new names:
# start from an empty pkg/ so old files neither pile up nor get counted by the size report.
clear_site_pkg() {
  rm -rf "$ROOT/target/site/pkg"
}

pg_bin_dir() {
  for v in 17 16 15; do
    if [ -x "/usr/lib/postgresql/$v/bin/initdb" ]; then echo "/usr/lib/postgresql/$v/bin"; return 0; fi
  done
  return 1
}

ensure_postgres_binaries() {
  if ! pg_bin_dir >/dev/null; then
    log "installing PostgreSQL server binaries"
    apt_install postgresql
  fi
}

# Starts a throwaway PostgreSQL cluster in a temporary folder; sets TEST_DATABASE_URL and
# PG_SCRATCH. stop_scratch_postgres removes it again.
start_scratch_postgres() {
  local bin port
  bin="$(pg_bin_dir)"
  PG_SCRATCH="$(mktemp -d /tmp/flipdesk-pg.XXXXXX)"
  port=$(( 20000 + RANDOM % 20000 ))
  local run_as=()
  if [ "$(id -u)" -eq 0 ]; then
    # initdb refuses to run as root: use the postgres system user when present.
    id postgres >/dev/null 2>&1 || as_root useradd --system --no-create-home postgres
    chown postgres "$PG_SCRATCH"
    run_as=(runuser -u postgres --)
  fi
  "${run_as[@]}" "$bin/initdb" -D "$PG_SCRATCH/data" -U flipdesk --auth=trust -E UTF8 >/dev/null
  "${run_as[@]}" "$bin/pg_ctl" -D "$PG_SCRATCH/data" -l "$PG_SCRATCH/log" -w \
    -o "-k $PG_SCRATCH -p $port -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null
  export TEST_DATABASE_URL="postgres://flipdesk@127.0.0.1:$port/postgres"
  export PG_SCRATCH PG_SCRATCH_BIN="$bin" PG_SCRATCH_RUN_AS="${run_as[*]:-}"
  log "throwaway PostgreSQL on port $port"
}

stop_scratch_postgres() {
  if [ -n "${PG_SCRATCH:-}" ] && [ -d "$PG_SCRATCH" ]; then
    # shellcheck disable=SC2086
    $PG_SCRATCH_RUN_AS "$PG_SCRATCH_BIN/pg_ctl" -D "$PG_SCRATCH/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_SCRATCH"
  fi
}

# An S3-compatible server for the photo-bucket tests: moto's server mode from PyPI, pinned in
# scripts/s3-server-requirements.txt, in its own virtualenv (about 15 s, once per machine).
S3_SERVER_VENV="$HOME/.cache/flipdesk/s3-server"
ensure_s3_server() {
  local wanted="$ROOT/scripts/s3-server-requirements.txt"
  if ! cmp -s "$wanted" "$S3_SERVER_VENV/requirements.txt" 2>/dev/null; then
    log "installing the S3-compatible test server (moto) into $S3_SERVER_VENV"
    rm -rf "$S3_SERVER_VENV"
    python3 -m venv "$S3_SERVER_VENV"
    "$S3_SERVER_VENV/bin/pip" install --quiet --disable-pip-version-check -r "$wanted"
    cp "$wanted" "$S3_SERVER_VENV/requirements.txt"
  fi
}
start_scratch_s3() {
  local port=$(( 20000 + RANDOM % 20000 ))
  S3_SCRATCH_LOG="$(mktemp /tmp/flipdesk-s3.XXXXXX)"
  "$S3_SERVER_VENV/bin/moto_server" -H 127.0.0.1 -p "$port" >"$S3_SCRATCH_LOG" 2>&1 &
  S3_SCRATCH_PID=$!
  export TEST_S3_ENDPOINT="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do
    curl -fs "$TEST_S3_ENDPOINT/" >/dev/null 2>&1 && { log "throwaway S3-compatible server on port $port"; return; }
    sleep 0.1
  done
  cat "$S3_SCRATCH_LOG" >&2
  log "the S3-compatible test server did not start"; return 1
}
stop_scratch_s3() {
  if [ -n "${S3_SCRATCH_PID:-}" ]; then
    kill "$S3_SCRATCH_PID" 2>/dev/null || true
    rm -f "$S3_SCRATCH_LOG"
  fi
}
