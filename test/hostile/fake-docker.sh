#!/bin/sh
# A stand-in docker client for the hostile corpus: Docker 20.10 without buildx (so r2d builds with
# `docker build ... -`, the context on stdin); `run` does nothing. A build saves its stdin to $FAKE_CONTEXT; every call
# appends its arguments (each ended by a NUL byte, then a newline) to $FAKE_RECORD. Plain sh, no
# node: the corpus runs it several hundred times.
for a in "$@"; do printf '%s\0' "$a"; done >> "$FAKE_RECORD"
printf '\n' >> "$FAKE_RECORD"
IID="sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
case "$1" in
  version)
    printf '%s\n' '{"Client":{"Version":"20.10.24"},"Server":{"Version":"20.10.24"}}'
    exit 0 ;;
  buildx)
    echo "docker: 'buildx' is not a docker command." >&2
    exit 1 ;;
  build)
    iidfile=""
    prev=""
    for a in "$@"; do
      [ "$prev" = "--iidfile" ] && iidfile="$a"
      prev="$a"
    done
    cat > "$FAKE_CONTEXT"
    [ -n "$iidfile" ] && printf '%s' "$IID" > "$iidfile"
    exit 0 ;;
  tag|run)
    exit 0 ;;
  image)
    if [ "$2" = "inspect" ]; then
      printf '%s\n' "{\"Id\":\"$IID\",\"RepoTags\":[],\"RepoDigests\":[],\"Created\":\"2025-01-15T10:00:00Z\",\"Size\":123456,\"Config\":{\"User\":\"1000\",\"Env\":[],\"Labels\":{}}}"
      exit 0
    fi ;;
esac
echo "fake docker: unknown command $*" >&2
exit 1
