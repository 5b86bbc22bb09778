#!/usr/bin/env bash
# Test infrastructure for r2d's integration tests (see test/infra/README.md).
#
# Makes, on a Debian 12 machine with no registry reachable:
#   - a running Docker engine (Debian's docker.io 20.10, BuildKit through /usr/bin/docker);
#   - local base images r2d-test/{debian,python,r}:bookworm (debootstrap + docker import);
#   - a local PEP 503 pip index of the test packages in test/infra/pypkgs;
#   - a local CRAN-like repository of the test packages in test/infra/rpkgs;
#   - two http.server processes on 127.0.0.1 serving them (they stop by themselves);
#   - .r2d-infra/env, the KEY=VALUE file that test/helpers/infra.ts reads;
# then proves the pieces work together (pip and install.packages inside the images).
#
# Idempotent: every phase checks what is already there and skips, so a second run
# takes seconds. Runs as root, with no stdin (CI=true is fine).
#
# Knobs (environment):
#   R2D_INFRA_DIR              state directory (default: <repo>/.r2d-infra)
#   R2D_INFRA_MIRROR           Debian mirror (default: http://deb.debian.org/debian)
#   R2D_INFRA_SECURITY_MIRROR  Debian security mirror (default: http://deb.debian.org/debian-security)
#   R2D_INFRA_SERVER_LIFETIME  how long the index servers live (timeout(1) syntax, default 3h)
#   R2D_INFRA_REBUILD_IMAGES=1 rebuild the base images even if present
#   R2D_INFRA_SKIP_VERIFY=1    skip the final end-to-end check
#   R2D_INFRA_VERIFY=always    run it even when it passed before for the same images/indexes
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
export LC_ALL=C.UTF-8
export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin${PATH:+:$PATH}"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
INFRA_SRC="$ROOT/test/infra"
STATE="${R2D_INFRA_DIR:-$ROOT/.r2d-infra}"
DOCKER=/usr/bin/docker # never /usr/local/bin/docker: a 28.x client without buildx
PY=/usr/bin/python3    # never the pyenv shim that may come first on PATH
MIRROR="${R2D_INFRA_MIRROR:-http://deb.debian.org/debian}"
SECURITY_MIRROR="${R2D_INFRA_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
SUITE=bookworm
LIFETIME="${R2D_INFRA_SERVER_LIFETIME:-3h}"

# Bump when the image recipes below change: images with another revision are rebuilt.
IMAGE_REV=1
IMG_DEBIAN="r2d-test/debian:$SUITE"
IMG_PYTHON="r2d-test/python:$SUITE"
IMG_R="r2d-test/r:$SUITE"
REV_LABEL="org.r2d.test.infra-rev"

PIP_PORT_DEFAULT=38123
CRAN_PORT_DEFAULT=38124

# What the test packages are (kept in step with test/infra/pypkgs and test/infra/rpkgs;
# the verification phase checks them).
PY_PKG=r2d-greet
PY_PKG_VERSION=1.0.0
PY_PKG_MODULE=r2d_greet
PY_DEP=r2d-hello
PY_DEP_VERSION=0.2.0
PY_DEP_OLD_VERSION=0.1.0
PY_DEP_MODULE=r2d_hello
# Published as an sdist only, with a C extension: installing it needs a compiler.
PY_CEXT=r2d-cext
PY_CEXT_MODULE=r2d_cext
R_PKG=r2dhello
R_PKG_VERSION=0.2.0
R_PKG_OLD_VERSION=0.1.0
R_PKG_WITH_DEP=r2dgreet
R_PKG_WITH_DEP_VERSION=1.0.0

APT_PACKAGES=(
  docker.io containerd runc tini debootstrap
  ca-certificates curl git xz-utils util-linux tmux
  python3 python3-venv python3-pip python3-wheel python3-setuptools
  r-base-core
)

mkdir -p "$STATE"

# ---------------------------------------------------------------- helpers
now_ms() { date +%s%3N; }
T_START=$(now_ms)
PHASE=""
PHASE_T0=0
PHASE_LOG=""
TIMINGS=()

log() { printf '[r2d-infra] %s\n' "$*"; }
die() { printf '[r2d-infra] ERROR: %s\n' "$*" >&2; exit 1; }

phase() {
  phase_end
  PHASE="$1"
  PHASE_LOG=""
  PHASE_T0=$(now_ms)
  log "== $PHASE"
}
phase_end() {
  if [[ -n "$PHASE" ]]; then
    local ms=$(($(now_ms) - PHASE_T0))
    TIMINGS+=("$(printf '%-22s %7.1f s' "$PHASE" "$(awk "BEGIN{print $ms/1000}")")")
    PHASE=""
  fi
}

on_exit() {
  local rc=$?
  if [[ $rc -ne 0 ]]; then
    printf '[r2d-infra] FAILED (exit %s) in phase: %s\n' "$rc" "${PHASE:-?}" >&2
    if [[ -n "$PHASE_LOG" && -f "$PHASE_LOG" ]]; then
      printf '[r2d-infra] last lines of %s:\n' "$PHASE_LOG" >&2
      tail -n 40 "$PHASE_LOG" >&2 || true
    fi
  fi
  cleanup_rootfs
}
ROOTFS=""
cleanup_rootfs() {
  if [[ -n "$ROOTFS" && -d "$ROOTFS" ]]; then
    # debootstrap may leave proc/sys mounted when it fails.
    awk -v r="$ROOTFS/" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r |
      while read -r m; do umount -l "$m" 2>/dev/null || true; done
    rm -rf --one-file-system "$ROOTFS" || true
    ROOTFS=""
  fi
}
trap on_exit EXIT

# Run a command with its output in a log file; on failure the log tail is shown (on_exit).
run_logged() {
  local logfile="$1"
  shift
  PHASE_LOG="$logfile"
  printf '\n$ %s\n' "$*" >>"$logfile"
  "$@" >>"$logfile" 2>&1 </dev/null
}

# Hash of a source tree plus the helper scripts that turn it into an index.
tree_hash() {
  (
    cd "$1"
    find . -type f ! -name '*.pyc' ! -path '*/__pycache__/*' ! -path '*.egg-info/*' \
      ! -path './*/build/*' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
    shift
    for f in "$@"; do sha256sum "$f"; done
  ) | sha256sum | cut -c1-16
}

docker_ok() { timeout 20 "$DOCKER" info >/dev/null 2>&1; }

port_free() {
  "$PY" - "$1" <<'EOF'
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
EOF
}

free_port() {
  "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Serializes concurrent runs (two shells, CI and a shell...). Every daemon started below
# gets `9>&-`: a daemon that inherited fd 9 would hold the lock for its whole life.
LOCK="$STATE/setup.flock"
exec 9>"$LOCK"
if ! flock -w 900 9; then die "another setup.sh has held $LOCK for 15 min: $(fuser "$LOCK" 2>&1 || true)"; fi

# Leftovers of a run that was killed (we hold the lock, so no other run owns them).
for stale in "$STATE"/rootfs.* "$STATE"/pypi-build.* "$STATE"/cran-build.*; do
  [[ -d "$stale" ]] || continue
  ROOTFS="$stale"
  cleanup_rootfs
done

# ---------------------------------------------------------------- 1. packages
phase "apt packages"
missing=()
for p in "${APT_PACKAGES[@]}"; do
  if [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" != "install ok installed" ]]; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  log "installing: ${missing[*]}"
  run_logged "$STATE/apt.log" apt-get -o DPkg::Lock::Timeout=300 -q update
  run_logged "$STATE/apt.log" apt-get -o DPkg::Lock::Timeout=300 -q install -y \
    --no-install-recommends "${missing[@]}"
else
  log "all ${#APT_PACKAGES[@]} packages already installed"
fi

# ---------------------------------------------------------------- 2. docker engine
phase "docker engine"
DOCKERD_LOG_POINTER=/run/r2d-infra-dockerd-log
if docker_ok; then
  log "engine answers ($("$DOCKER" version -f '{{.Server.Version}}' 2>/dev/null))"
else
  dockerd_pid=""
  if [[ -f /var/run/docker.pid ]]; then
    dockerd_pid=$(cat /var/run/docker.pid 2>/dev/null || true)
    if [[ -n "$dockerd_pid" ]] && ! grep -qa dockerd "/proc/$dockerd_pid/cmdline" 2>/dev/null; then
      dockerd_pid=""
    fi
  fi
  PHASE_LOG="$STATE/dockerd.log"
  if [[ -n "$dockerd_pid" ]]; then
    log "a dockerd (pid $dockerd_pid) is running but not answering yet; waiting for it"
    PHASE_LOG=$(cat "$DOCKERD_LOG_POINTER" 2>/dev/null || echo "$STATE/dockerd.log")
  else
    log "starting dockerd (log: $STATE/dockerd.log)"
    # setsid -f: own session, so it outlives this script and its caller's job control.
    setsid -f nohup /usr/sbin/dockerd --bridge=none --iptables=false --ip6tables=false \
      >>"$STATE/dockerd.log" 2>&1 </dev/null 9>&-
    echo "$STATE/dockerd.log" >"$DOCKERD_LOG_POINTER" 2>/dev/null || true
  fi
  for _ in $(seq 1 60); do
    docker_ok && break
    sleep 1
  done
  docker_ok || die "the Docker engine did not answer within 60 s"
  log "engine answers ($("$DOCKER" version -f '{{.Server.Version}}' 2>/dev/null))"
fi
DOCKERD_LOG=$(cat "$DOCKERD_LOG_POINTER" 2>/dev/null || true)

# ---------------------------------------------------------------- 3. base images

image_current() {
  local rev
  rev=$("$DOCKER" image inspect -f "{{ index .Config.Labels \"$REV_LABEL\" }}" "$1" 2>/dev/null) || return 1
  [[ "$rev" == "$IMAGE_REV" && "${R2D_INFRA_REBUILD_IMAGES:-0}" != 1 ]]
}

build_derived() { # NAME FROM PACKAGES...
  local name="$1" from="$2"
  shift 2
  log "building $name (FROM $from + $*)"
  printf '%s\n' \
    "FROM $from" \
    "RUN apt-get update \\" \
    " && apt-get install -y --no-install-recommends $* \\" \
    " && apt-get clean && rm -rf /var/lib/apt/lists/*" \
    "LABEL $REV_LABEL=$IMAGE_REV" >"$STATE/Dockerfile.$(basename "${name%%:*}")"
  local attempt
  for attempt in 1 2; do
    if run_logged "$STATE/images.log" env DOCKER_BUILDKIT=1 "$DOCKER" build --progress=plain \
      --network host -t "$name" -f "$STATE/Dockerfile.$(basename "${name%%:*}")" "$STATE/empty-context"; then
      return 0
    fi
    log "build of $name failed (attempt $attempt)"
  done
  return 1
}

phase "base images"
mkdir -p "$STATE/empty-context"
rebuilt_base=0
if image_current "$IMG_DEBIAN"; then
  log "$IMG_DEBIAN present"
else
  ROOTFS=$(mktemp -d "$STATE/rootfs.XXXXXX")
  log "debootstrap --variant=minbase $SUITE (log: $STATE/images.log)"
  ok=0
  for attempt in 1 2; do
    if run_logged "$STATE/images.log" debootstrap --variant=minbase --include=ca-certificates \
      "$SUITE" "$ROOTFS" "$MIRROR"; then
      ok=1
      break
    fi
    log "debootstrap failed (attempt $attempt)"
    cleanup_rootfs
    ROOTFS=$(mktemp -d "$STATE/rootfs.XXXXXX")
  done
  [[ $ok == 1 ]] || die "debootstrap failed"
  # Same sources as the official image: main + updates + security, deb822 style.
  rm -f "$ROOTFS/etc/apt/sources.list"
  cat >"$ROOTFS/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: $SUITE $SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $SECURITY_MIRROR
Suites: $SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/tmp/* || true
  log "docker import $IMG_DEBIAN"
  PHASE_LOG="$STATE/images.log"
  tar --numeric-owner -C "$ROOTFS" -c . |
    "$DOCKER" import \
      --change 'CMD ["bash"]' \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change "LABEL $REV_LABEL=$IMAGE_REV" \
      - "$IMG_DEBIAN" >>"$STATE/images.log" 2>&1
  cleanup_rootfs
  rebuilt_base=1
fi
# Tools that r2d's generated Dockerfiles rely on.
PHASE_LOG="$STATE/images.log"
run_logged "$STATE/images.log" "$DOCKER" run --rm --network none "$IMG_DEBIAN" \
  bash -c 'for t in bash useradd groupadd usermod getent apt-get update-ca-certificates; do command -v "$t" >/dev/null || { echo "missing: $t"; exit 1; }; done' ||
  die "$IMG_DEBIAN lacks a tool r2d needs (see $STATE/images.log)"

rebuilt_python=0
if [[ $rebuilt_base == 0 ]] && image_current "$IMG_PYTHON"; then
  log "$IMG_PYTHON present"
else
  build_derived "$IMG_PYTHON" "$IMG_DEBIAN" python3 python3-venv python3-pip
  rebuilt_python=1
fi
if [[ $rebuilt_python == 0 ]] && image_current "$IMG_R"; then
  log "$IMG_R present"
else
  build_derived "$IMG_R" "$IMG_PYTHON" r-base-core
fi

# ---------------------------------------------------------------- 4. pip index
phase "pip index"
PHASE_LOG="$STATE/pypi.log"
PYPI_DIR="$STATE/pypi"
PYPI_ID="r2d-infra pypi $PYPI_DIR"
py_hash=$(tree_hash "$INFRA_SRC/pypkgs" "$INFRA_SRC/lib/make_pypi_index.py")
if [[ -f "$PYPI_DIR/.stamp" && "$(cat "$PYPI_DIR/.stamp")" == "$py_hash" ]]; then
  log "index up to date ($PYPI_DIR)"
else
  work=$(mktemp -d "$STATE/pypi-build.XXXXXX")
  mkdir -p "$work/wheels" "$work/out"
  for src in "$INFRA_SRC"/pypkgs/*/; do
    name=$(basename "$src")
    cp -r "$src" "$work/src-$name" # build out of tree: no build/ or egg-info in the repo
    if [[ -f "$src/SDIST-ONLY" ]]; then
      # Served as source only, so installers compile it (the C extension of the stages tests).
      (cd "$work/src-$name" && run_logged "$STATE/pypi.log" "$PY" setup.py -q sdist --formats=gztar --dist-dir "$work/wheels")
      continue
    fi
    run_logged "$STATE/pypi.log" "$PY" -m pip wheel --no-deps --no-build-isolation \
      --disable-pip-version-check --no-index -q --wheel-dir "$work/wheels" "$work/src-$name"
  done
  PHASE_LOG="$STATE/pypi.log"
  "$PY" "$INFRA_SRC/lib/make_pypi_index.py" "$work/wheels" "$work/out"
  printf '%s\n' "$PYPI_ID" >"$work/out/.r2d-infra-id"
  printf '%s\n' "$py_hash" >"$work/out/.stamp"
  # Swap in place: a running server keeps serving the same path.
  rm -rf "$PYPI_DIR.old"
  [[ -d "$PYPI_DIR" ]] && mv "$PYPI_DIR" "$PYPI_DIR.old"
  mv "$work/out" "$PYPI_DIR"
  rm -rf "$PYPI_DIR.old" "$work"
fi

# ---------------------------------------------------------------- 5. CRAN-like repo
phase "cran repo"
PHASE_LOG="$STATE/cran.log"
CRAN_DIR="$STATE/cran"
CRAN_ID="r2d-infra cran $CRAN_DIR"
r_hash=$(tree_hash "$INFRA_SRC/rpkgs" "$INFRA_SRC/lib/make_cran.R")
if [[ -f "$CRAN_DIR/.stamp" && "$(cat "$CRAN_DIR/.stamp")" == "$r_hash" ]]; then
  log "repository up to date ($CRAN_DIR)"
else
  work=$(mktemp -d "$STATE/cran-build.XXXXXX")
  mkdir -p "$work/tarballs" "$work/out"
  for src in "$INFRA_SRC"/rpkgs/*/; do
    name=$(basename "$src")
    cp -r "$src" "$work/src-$name"
    (cd "$work/tarballs" && run_logged "$STATE/cran.log" R CMD build --no-build-vignettes \
      --no-manual "$work/src-$name")
  done
  PHASE_LOG="$STATE/cran.log"
  Rscript --vanilla "$INFRA_SRC/lib/make_cran.R" "$work/tarballs" "$work/out"
  printf '%s\n' "$CRAN_ID" >"$work/out/.r2d-infra-id"
  printf '%s\n' "$r_hash" >"$work/out/.stamp"
  rm -rf "$CRAN_DIR.old"
  [[ -d "$CRAN_DIR" ]] && mv "$CRAN_DIR" "$CRAN_DIR.old"
  mv "$work/out" "$CRAN_DIR"
  rm -rf "$CRAN_DIR.old" "$work"
fi

# ---------------------------------------------------------------- 6. servers
phase "index servers"
serves() { # PORT ID: does 127.0.0.1:PORT serve the directory with that id?
  [[ -n "$1" ]] || return 1
  [[ "$(curl -fsS --max-time 3 "http://127.0.0.1:$1/.r2d-infra-id" 2>/dev/null)" == "$2" ]]
}
is_our_server() { # PID DIR
  [[ -n "$1" && -r "/proc/$1/cmdline" ]] &&
    tr '\0' ' ' <"/proc/$1/cmdline" | grep -q -- "http.server --bind 127.0.0.1 [0-9]* --directory $2"
}
ensure_server() { # NAME DIR ID DEFAULT_PORT -> sets SERVER_PORT
  local name="$1" dir="$2" id="$3" default_port="$4"
  local pidfile="$STATE/$name.pid" portfile="$STATE/$name.port" port pid
  port=$(cat "$portfile" 2>/dev/null || true)
  if serves "$port" "$id"; then
    log "$name: reusing server on 127.0.0.1:$port"
    SERVER_PORT=$port
    return 0
  fi
  pid=$(cat "$pidfile" 2>/dev/null || true)
  if is_our_server "$pid" "$dir"; then kill "$pid" 2>/dev/null || true; fi
  rm -f "$pidfile" "$portfile"
  if serves "$default_port" "$id"; then # started by hand or pid file lost
    log "$name: reusing server on 127.0.0.1:$default_port"
    echo "$default_port" >"$portfile"
    SERVER_PORT=$default_port
    return 0
  fi
  if port_free "$default_port"; then port=$default_port; else port=$(free_port); fi
  # setsid -f: detached from this script (and from CI's job control); timeout: stops by itself.
  setsid -f bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$pidfile" \
    timeout "$LIFETIME" "$PY" -m http.server --bind 127.0.0.1 "$port" --directory "$dir" \
    >>"$STATE/$name-server.log" 2>&1 </dev/null 9>&-
  for _ in $(seq 1 50); do
    serves "$port" "$id" && break
    sleep 0.2
  done
  PHASE_LOG="$STATE/$name-server.log"
  serves "$port" "$id" || die "$name server on 127.0.0.1:$port did not answer"
  echo "$port" >"$portfile"
  log "$name: serving $dir on 127.0.0.1:$port for $LIFETIME (pid $(cat "$pidfile"))"
  SERVER_PORT=$port
}
ensure_server pypi "$PYPI_DIR" "$PYPI_ID" "$PIP_PORT_DEFAULT"
PIP_PORT=$SERVER_PORT
ensure_server cran "$CRAN_DIR" "$CRAN_ID" "$CRAN_PORT_DEFAULT"
CRAN_PORT=$SERVER_PORT
PIP_INDEX="http://127.0.0.1:$PIP_PORT/simple"
CRAN_URL="http://127.0.0.1:$CRAN_PORT"
curl -fsS --max-time 5 "$PIP_INDEX/$PY_PKG/" | grep -q "$PY_PKG_MODULE-$PY_PKG_VERSION" ||
  die "$PIP_INDEX/$PY_PKG/ does not list $PY_PKG $PY_PKG_VERSION"
curl -fsS --max-time 5 "$CRAN_URL/src/contrib/PACKAGES" | grep -qx "Package: $R_PKG" ||
  die "$CRAN_URL/src/contrib/PACKAGES does not list $R_PKG"

# ---------------------------------------------------------------- 7. env file
phase "env file"
image_info() { "$DOCKER" image inspect -f '{{.Id}}' "$1"; }
{
  echo "# Written by test/infra/setup.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ); read by test/helpers/infra.ts."
  echo "R2D_TEST_DOCKER=$DOCKER"
  echo "R2D_TEST_INFRA_DIR=$STATE"
  echo "R2D_TEST_DOCKERD_LOG=$DOCKERD_LOG"
  echo "R2D_TEST_BASE_DEBIAN=$IMG_DEBIAN"
  echo "R2D_TEST_BASE_DEBIAN_ID=$(image_info "$IMG_DEBIAN")"
  echo "R2D_TEST_BASE_PYTHON=$IMG_PYTHON"
  echo "R2D_TEST_BASE_PYTHON_ID=$(image_info "$IMG_PYTHON")"
  echo "R2D_TEST_BASE_R=$IMG_R"
  echo "R2D_TEST_BASE_R_ID=$(image_info "$IMG_R")"
  echo "R2D_TEST_PIP_INDEX=$PIP_INDEX"
  echo "R2D_TEST_CRAN=$CRAN_URL"
  echo "R2D_TEST_PY_CEXT=$PY_CEXT"
  echo "R2D_TEST_PY_CEXT_MODULE=$PY_CEXT_MODULE"
  echo "R2D_TEST_PY_PKG=$PY_PKG"
  echo "R2D_TEST_PY_PKG_VERSION=$PY_PKG_VERSION"
  echo "R2D_TEST_PY_PKG_MODULE=$PY_PKG_MODULE"
  echo "R2D_TEST_PY_DEP=$PY_DEP"
  echo "R2D_TEST_PY_DEP_VERSION=$PY_DEP_VERSION"
  echo "R2D_TEST_PY_DEP_OLD_VERSION=$PY_DEP_OLD_VERSION"
  echo "R2D_TEST_PY_DEP_MODULE=$PY_DEP_MODULE"
  echo "R2D_TEST_R_PKG=$R_PKG"
  echo "R2D_TEST_R_PKG_VERSION=$R_PKG_VERSION"
  echo "R2D_TEST_R_PKG_OLD_VERSION=$R_PKG_OLD_VERSION"
  echo "R2D_TEST_R_PKG_WITH_DEP=$R_PKG_WITH_DEP"
  echo "R2D_TEST_R_PKG_WITH_DEP_VERSION=$R_PKG_WITH_DEP_VERSION"
} >"$STATE/env.tmp"
# Versions inside the images (for runtime.txt / install.R tests); cached by image id.
cache_key="$(image_info "$IMG_PYTHON") $(image_info "$IMG_R")"
if [[ -f "$STATE/versions.cache" && "$(head -n1 "$STATE/versions.cache")" == "$cache_key" ]]; then
  tail -n +2 "$STATE/versions.cache" >>"$STATE/env.tmp"
else
  PHASE_LOG="$STATE/images.log"
  pyv=$("$DOCKER" run --rm --network none "$IMG_PYTHON" python3 -c 'import platform; print(platform.python_version())')
  rv=$("$DOCKER" run --rm --network none "$IMG_R" Rscript -e 'cat(as.character(getRversion()))')
  {
    echo "$cache_key"
    echo "R2D_TEST_PYTHON_VERSION=$pyv"
    echo "R2D_TEST_R_VERSION=$rv"
  } >"$STATE/versions.cache"
  tail -n +2 "$STATE/versions.cache" >>"$STATE/env.tmp"
fi
mv "$STATE/env.tmp" "$STATE/env"
log "wrote $STATE/env"

# ---------------------------------------------------------------- 8. verification
# pip (with a dependency and a pin) in the python image and install.packages (with a
# dependency) in the R image, both over the host network, run in parallel. A success is
# remembered for the same images, indexes and URLs; R2D_INFRA_VERIFY=always re-checks.
verify_key="$(image_info "$IMG_PYTHON") $(image_info "$IMG_R") $py_hash $r_hash $PIP_INDEX $CRAN_URL"
if [[ "${R2D_INFRA_SKIP_VERIFY:-0}" == 1 ]]; then
  log "verification skipped (R2D_INFRA_SKIP_VERIFY=1)"
elif [[ "${R2D_INFRA_VERIFY:-}" != always && -f "$STATE/verified" &&
  "$(cat "$STATE/verified")" == "$verify_key" ]]; then
  log "verification: already passed for these images and indexes (R2D_INFRA_VERIFY=always re-checks)"
else
  phase "verify pip + R"
  rm -f "$STATE/verified"
  PHASE_LOG="$STATE/verify.log"
  : >"$STATE/verify.log"
  "$DOCKER" run --rm --network host -e "IDX=$PIP_INDEX" "$IMG_PYTHON" bash -ec "
    python3 -m venv /tmp/venv
    /tmp/venv/bin/pip install -q --disable-pip-version-check --index-url \"\$IDX\" $PY_PKG
    /tmp/venv/bin/python -c 'import $PY_PKG_MODULE as m; print(m.greet(\"r2d\"))'
    /tmp/venv/bin/pip install -q --disable-pip-version-check --index-url \"\$IDX\" '$PY_DEP==$PY_DEP_OLD_VERSION'
    /tmp/venv/bin/python -c 'import $PY_DEP_MODULE as m; print(m.hello())'
  " >"$STATE/verify-pip.out" 2>"$STATE/verify-pip.err" </dev/null &
  pip_pid=$!
  "$DOCKER" run --rm --network host -e "REPO=$CRAN_URL" "$IMG_R" Rscript -e "
    repo <- Sys.getenv('REPO')
    install.packages('$R_PKG_WITH_DEP', repos = repo, quiet = TRUE)
    if (!requireNamespace('$R_PKG_WITH_DEP', quietly = TRUE)) quit(status = 1)
    cat(${R_PKG_WITH_DEP}::r2d_greet('r2d'), '\n')
    cat(as.character(packageVersion('$R_PKG')), '\n')
    a <- readRDS(gzcon(url(paste0(repo, '/src/contrib/Meta/archive.rds'))))
    cat(rownames(a[['$R_PKG']]), '\n')
  " >"$STATE/verify-r.out" 2>"$STATE/verify-r.err" </dev/null &
  r_pid=$!
  pip_rc=0 r_rc=0
  wait "$pip_pid" || pip_rc=$?
  wait "$r_pid" || r_rc=$?
  cat "$STATE"/verify-pip.{out,err} "$STATE"/verify-r.{out,err} >"$STATE/verify.log"
  pip_out=$(cat "$STATE/verify-pip.out")
  r_out=$(cat "$STATE/verify-r.out")
  [[ $pip_rc == 0 ]] || die "pip install from $PIP_INDEX failed in $IMG_PYTHON (exit $pip_rc)"
  grep -qF "r2d-greet $PY_PKG_VERSION: hello, r2d (r2d-hello $PY_DEP_VERSION)" <<<"$pip_out" ||
    die "unexpected output from the pip check: $pip_out"
  grep -qF "(r2d-hello $PY_DEP_OLD_VERSION)" <<<"$pip_out" ||
    die "pinning $PY_DEP==$PY_DEP_OLD_VERSION failed: $pip_out"
  log "pip: $(tr '\n' '|' <<<"$pip_out")"
  [[ $r_rc == 0 ]] || die "install.packages from $CRAN_URL failed in $IMG_R (exit $r_rc)"
  grep -qF "r2dgreet $R_PKG_WITH_DEP_VERSION: hello, r2d (r2dhello $R_PKG_VERSION)" <<<"$r_out" ||
    die "unexpected output from the R check: $r_out"
  grep -qF "$R_PKG/${R_PKG}_$R_PKG_OLD_VERSION.tar.gz" <<<"$r_out" ||
    die "archive.rds does not list $R_PKG $R_PKG_OLD_VERSION: $r_out"
  curl -fsS --max-time 5 -o /dev/null \
    "$CRAN_URL/src/contrib/Archive/$R_PKG/${R_PKG}_$R_PKG_OLD_VERSION.tar.gz" ||
    die "archived $R_PKG $R_PKG_OLD_VERSION is not served"
  log "R: $(tr '\n' '|' <<<"$r_out")"
  rm -f "$STATE"/verify-{pip,r}.{out,err}
  echo "$verify_key" >"$STATE/verified"
fi

phase_end
log "timings:"
for t in "${TIMINGS[@]}"; do log "  $t"; done
log "  $(printf '%-22s %7.1f s' total "$(awk "BEGIN{print ($(now_ms) - $T_START)/1000}")")"
log "ready: $STATE/env"
