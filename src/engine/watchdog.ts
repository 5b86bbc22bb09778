/**
 * The watchdog: what r2d starts must not outlive it, even when r2d is killed with SIGKILL
 * (which no handler sees). One tiny `sh` per process, in its own session (a terminal's Ctrl-C
 * or a kill of r2d's process group does not reach it), reads registrations on a pipe from r2d:
 *
 *   +ID group PGID        a process group to stop (the build client and its plugins)
 *   +ID run 'ARG' ...     a command to run (shell-quoted words), e.g. `docker rm -f NAME`
 *   +ID dir PATH          a folder to remove (the run's temp folder, with its secrets)
 *   -ID                   done with it
 *
 * When the pipe closes while registrations are open, r2d is gone: the watchdog sends SIGINT
 * to the groups (then SIGKILL), runs the commands, then removes the folders. Nothing from
 * r2d reaches the shell as code: values are stored in variables, commands are words quoted
 * by shellQuote, and lines with control characters are never sent.
 */
import type { ChildProcess } from "node:child_process";
import { shellQuote } from "./exec.js";
import { startDetachedReader } from "./process.js";

// Written with @{ for the shell's ${ (a template literal would take ${ as its own).
export const WATCHDOG_SCRIPT = String.raw`
trap '' INT TERM HUP PIPE
ids= n=0
while IFS= read -r line; do
  case $line in
    +*)
      id=@{line#+}; id=@{id%% *}
      case $id in ''|*[!0-9]*) continue ;; esac
      eval "e_$id=\@{line#+$id }"; ids="$ids $id"; n=$((n + 1)) ;;
    -*)
      id=@{line#-}
      case $id in ''|*[!0-9]*) continue ;; esac
      eval "was=\@{e_$id+x}"
      if [ -n "$was" ]; then unset "e_$id"; n=$((n - 1)); [ "$n" -eq 0 ] && ids=; fi ;;
  esac
done
[ "$n" -eq 0 ] && exit 0
groups=
for id in $ids; do
  eval "entry=\@{e_$id-}"
  case $entry in "group "*) g=@{entry#group }; kill -INT "-$g" 2>/dev/null && groups="$groups $g" ;; esac
done
tries=0
while [ -n "$groups" ] && [ "$tries" -lt 15 ]; do
  alive=
  for g in $groups; do kill -0 "-$g" 2>/dev/null && alive="$alive $g"; done
  groups=$alive; tries=$((tries + 1))
  [ -n "$groups" ] && sleep 0.2
done
for g in $groups; do kill -KILL "-$g" 2>/dev/null; done
for id in $ids; do
  eval "entry=\@{e_$id-}"
  case $entry in "run "*) eval "set -- @{entry#run }" && "$@" >/dev/null 2>&1 </dev/null ;; esac
done
for id in $ids; do
  eval "entry=\@{e_$id-}"
  case $entry in "dir /") ;; "dir /"*) rm -rf -- "@{entry#dir }" ;; esac
done
`.replaceAll("@{", "${");

let child: ChildProcess | undefined;
let nextId = 1;

function watchdogInput(): NodeJS.WritableStream | undefined {
  if (child?.stdin?.writable) return child.stdin;
  try {
    // Neither the process nor the pipe keeps r2d alive: r2d's own exit is what the watchdog waits for.
    const sub = startDetachedReader("/bin/sh", ["-c", WATCHDOG_SCRIPT, "r2d-watchdog"]);
    sub.on("error", () => {
      if (child === sub) child = undefined; // no /bin/sh: the cleanup registry and the next run's sweep remain
    });
    child = sub;
    return sub.stdin ?? undefined;
  } catch {
    return undefined;
  }
}

/** Sends one registration; returns the function that ends it (a no-op when it could not be sent). */
function register(entry: string): () => void {
   
  if (/[\u0000-\u001f\u007f]/.test(entry)) return () => {};
  const input = watchdogInput();
  if (!input) return () => {};
  const id = nextId++;
  input.write(`+${id} ${entry}\n`);
  let open = true;
  return () => {
    if (!open) return;
    open = false;
    if (child?.stdin === input && input.writable) input.write(`-${id}\n`);
  };
}

/** Stop this process group (SIGINT, then SIGKILL) if r2d dies while it runs. */
export function guardProcessGroup(pgid: number | undefined): () => void {
  if (!pgid || !Number.isInteger(pgid) || pgid <= 1) return () => {};
  return register(`group ${pgid}`);
}

/** The registration for a command: its words quoted for the watchdog's `eval "set -- …"` (env through env(1)). */
export function commandEntry(argv: string[], env: Record<string, string> = {}): string {
  const words = Object.keys(env).length > 0 ? ["env", ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...argv] : argv;
  return `run ${words.map(shellQuote).join(" ")}`;
}

/** Run this command if r2d dies first (e.g. `docker rm -f NAME` for a container it started). */
export function guardCommand(argv: string[], env: Record<string, string> = {}): () => void {
  if (argv.length === 0) return () => {};
  return register(commandEntry(argv, env));
}

/** The image ID from the iidfile ($2), else $3; removed if nothing names it ($1: the docker client). */
const DISCARD_UNNAMED = `id=$(cat "$2" 2>/dev/null); [ -n "$id" ] || id=$3; [ -n "$id" ] && [ "$("$1" image inspect --format '{{len .RepoTags}}' "$id" 2>/dev/null)" = 0 ] && exec "$1" image rm "$id"`;

/**
 * If r2d dies during a build (after the client is stopped): the image the engine made — the
 * iidfile's, or `imageId` when r2d saw it in the progress first — is removed when it has no name
 * (tags are set only after success). An export the engine finishes after the client is gone
 * leaves an unnamed image nobody can tell apart: `docker image prune` removes it.
 */
export function guardUnnamedImage(docker: string, env: Record<string, string>, iidFile: string, imageId = ""): () => void {
  return guardCommand(discardUnnamedImageCommand(docker, iidFile, imageId), env);
}

export function discardUnnamedImageCommand(docker: string, iidFile: string, imageId = ""): string[] {
  return ["/bin/sh", "-c", DISCARD_UNNAMED, "r2d-discard", docker, iidFile, imageId];
}

/** Remove this folder (an absolute path) if r2d dies before it does. */
export function guardDir(dir: string): () => void {
  if (!dir.startsWith("/") || dir === "/") return () => {};
  return register(`dir ${dir}`);
}

/** The watchdog's process id (tests), or undefined when none runs. */
export function watchdogPid(): number | undefined {
  return child?.exitCode === null ? child.pid : undefined;
}
