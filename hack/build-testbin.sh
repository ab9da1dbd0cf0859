#!/usr/bin/env bash
# Build the test control plane (etcd, kube-apiserver, kube-controller-manager, kubectl)
# from pinned Go module versions into ${ESO_TESTBIN_DIR:-$HOME/.cache/eso/testbin}/<version>/.
#
# Idempotent: when every binary is present and answers --version, nothing is rebuilt.
# Nothing is written into the repository; the helper Go modules live in the cache too.
#
# Usage: hack/build-testbin.sh            # build (or reuse) and print the bin directory last
#        K8S_VERSION=1.35.4 hack/build-testbin.sh
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-1.36.3}"
ETCD_VERSION="${ETCD_VERSION:-3.6.16}"
ROOT="${ESO_TESTBIN_DIR:-$HOME/.cache/eso/testbin}"
VERSION_DIR="k8s-${K8S_VERSION}-etcd-${ETCD_VERSION}"
OUT="$ROOT/$VERSION_DIR"
WORK="$ROOT/src/$VERSION_DIR"
BINARIES=(etcd kube-apiserver kube-controller-manager kubectl)

log() { printf '[build-testbin] %s\n' "$*" >&2; }
step=""
fail() {
  local rc=$?
  log "FAILED at step: ${step} (exit ${rc})"
  log "Nothing half-built is kept in ${OUT}. Fix the cause shown above and run again:"
  log "  $0"
  log "To try another pinned version: K8S_VERSION=1.35.4 ETCD_VERSION=3.6.15 $0"
  exit "$rc"
}
trap fail ERR

all_present() {
  local b
  for b in "${BINARIES[@]}"; do
    [ -x "$OUT/$b" ] || return 1
  done
  "$OUT/etcd" --version >/dev/null 2>&1 && "$OUT/kube-apiserver" --version >/dev/null 2>&1
}

if all_present; then
  log "reusing ${OUT}"
  echo "$OUT"
  exit 0
fi

# One build at a time per cache directory: a second caller waits, then reuses the result.
mkdir -p "$ROOT"
exec 9>"$ROOT/.build.lock"
if ! flock -n 9; then
  log "another build is running; waiting for it"
  flock 9
fi
if all_present; then
  log "reusing ${OUT}"
  echo "$OUT"
  exit 0
fi

command -v go >/dev/null || { log "the Go toolchain (go) is required to build the control plane"; exit 1; }
start=$(date +%s)
mkdir -p "$WORK/k8s/cmd/kube-apiserver" "$WORK/k8s/cmd/kube-controller-manager" "$WORK/k8s/cmd/kubectl" "$WORK/etcd" "$OUT.partial"

# ---------------------------------------------------------------- etcd
step="etcd ${ETCD_VERSION}: module download"
log "[1/4] etcd v${ETCD_VERSION}: preparing helper module"
cat >"$WORK/etcd/go.mod" <<GOMOD
module eso.invalid/testbin/etcd

go 1.26

require go.etcd.io/etcd/server/v3 v${ETCD_VERSION}
GOMOD
cat >"$WORK/etcd/main.go" <<'GO'
// Command etcd runs the upstream etcd server main entry point.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
(cd "$WORK/etcd" && go mod tidy)
step="etcd ${ETCD_VERSION}: go build"
log "[2/4] etcd v${ETCD_VERSION}: building"
(cd "$WORK/etcd" && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$OUT.partial/etcd" .)

# ---------------------------------------------------------------- kubernetes
step="k8s.io/kubernetes v${K8S_VERSION}: reading its go.mod"
log "[3/4] kubernetes v${K8S_VERSION}: preparing helper module (replace list from the upstream go.mod)"
gomod_file=$(cd "$WORK/etcd" && go mod download -json "k8s.io/kubernetes@v${K8S_VERSION}" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p')
[ -f "$gomod_file" ] || { log "could not download k8s.io/kubernetes@v${K8S_VERSION}"; false; }
staging=$(grep -E '^[[:space:]]*k8s\.io/[a-z0-9-]+ v0\.0\.0([[:space:]]|$)' "$gomod_file" | awk '{print $1}' | sort -u)
godebug=$(grep -E '^godebug' "$gomod_file" || true)
staging_version="v0.${K8S_VERSION#1.}"
{
  echo "module eso.invalid/testbin/k8s"
  echo
  echo "go 1.26"
  [ -n "$godebug" ] && { echo; echo "$godebug"; }
  echo
  echo "require k8s.io/kubernetes v${K8S_VERSION}"
  echo
  echo "replace ("
  for m in $staging; do echo "	$m => $m $staging_version"; done
  echo ")"
} >"$WORK/k8s/go.mod"
cat >"$WORK/k8s/cmd/kube-apiserver/main.go" <<'GO'
// Command kube-apiserver runs the upstream API server command.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() { os.Exit(cli.Run(app.NewAPIServerCommand())) }
GO
cat >"$WORK/k8s/cmd/kube-controller-manager/main.go" <<'GO'
// Command kube-controller-manager runs the upstream controller manager command.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-controller-manager/app"
)

func main() { os.Exit(cli.Run(app.NewControllerManagerCommand())) }
GO
cat >"$WORK/k8s/cmd/kubectl/main.go" <<'GO'
// Command kubectl runs the upstream kubectl command.
package main

import (
	"k8s.io/component-base/cli"
	"k8s.io/kubectl/pkg/cmd"
	"k8s.io/kubectl/pkg/cmd/util"
)

func main() {
	command := cmd.NewDefaultKubectlCommand()
	if err := cli.RunNoErrOutput(command); err != nil {
		util.CheckErr(err)
	}
}
GO
step="k8s.io/kubernetes v${K8S_VERSION}: go mod tidy"
(cd "$WORK/k8s" && go mod tidy)

step="k8s.io/kubernetes v${K8S_VERSION}: go build"
log "[4/4] kubernetes v${K8S_VERSION}: building kube-apiserver, kube-controller-manager, kubectl (10-20 min cold on 2 cores)"
build_date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
minor="${K8S_VERSION#1.}"; minor="${minor%%.*}"
ldflags="-s -w"
for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
  ldflags="$ldflags -X '$pkg.gitVersion=v${K8S_VERSION}' -X '$pkg.gitMajor=1' -X '$pkg.gitMinor=${minor}'"
  ldflags="$ldflags -X '$pkg.gitTreeState=clean' -X '$pkg.buildDate=${build_date}' -X '$pkg.gitCommit=module-v${K8S_VERSION}'"
done
for b in kube-apiserver kube-controller-manager kubectl; do
  log "    building $b"
  (cd "$WORK/k8s" && CGO_ENABLED=0 go build -trimpath -ldflags="$ldflags" -o "$OUT.partial/$b" "./cmd/$b")
done

step="checking --version"
for b in "${BINARIES[@]}"; do
  case "$b" in
    kubectl) "$OUT.partial/$b" version --client >&2 ;;
    *) "$OUT.partial/$b" --version >&2 ;;
  esac
done
rm -rf "$OUT"
mv "$OUT.partial" "$OUT"
log "built in $(( $(date +%s) - start )) s into ${OUT}"
echo "$OUT"
