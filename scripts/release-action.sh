#!/usr/bin/env bash
# Makes a release of the GitHub Action: a commit of HEAD plus the compiled dist/ (which the action
# runs, so its set-up installs only runtime dependencies), tagged vX.Y.Z and vX. The working tree
# is left as it is; the commit is made in a temporary worktree. Usage: scripts/release-action.sh v1.2.3
set -euo pipefail
tag="${1:-}"
if ! [[ "$tag" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  echo "usage: scripts/release-action.sh vX.Y.Z" >&2
  exit 2
fi
major="${tag%%.*}"
root="$(git rev-parse --show-toplevel)"
work="$(mktemp -d)"
cleanup() { git -C "$root" worktree remove --force "$work" >/dev/null 2>&1 || rm -rf "$work"; }
trap cleanup EXIT
git -C "$root" worktree add --quiet --detach "$work" HEAD
cd "$work"
npm ci --no-audit --no-fund --loglevel=error
npm run build
git add --force dist
git commit --quiet --message "Release $tag: the action with its compiled dist/"
git tag "$tag"
git tag --force "$major" >/dev/null
echo "tagged $tag and $major at $(git rev-parse --short HEAD); publish with: git push origin $tag && git push --force origin $major"
