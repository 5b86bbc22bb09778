/**
 * The Nix pack's run-time chain in a real container: the ENTRYPOINT the plan gives (the wrapper,
 * r2d's entrypoint) and R2D_ENTRYPOINT (start), with the real scripts and a stub `nix-shell` (the
 * test machines cannot fetch Nix). The image is the plan's entrypoint on the local Debian base;
 * the rest of a Nix image needs the network and is checked structurally (test/buildpacks/nix.test.ts).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planRepo } from "../../src/index.js";
import { loadInfra, REPO_ROOT, type Infra } from "../helpers/infra.js";
import { docker, runImage, Scope } from "./helpers.js";

let infra: Infra;
const scope = new Scope(() => infra);
let image: string;

const STUB_NIX_SHELL = '#!/bin/bash\n# Stands in for nix-shell FILE --run CMD: marks the shell as Nix\'s and runs CMD with bash.\n[ "$2" = --run ] || exit 99\nexport IN_NIX_SHELL=impure NIX_FILE="$1"\nexec bash -c "$3"\n';

beforeAll(async () => {
  infra = await loadInfra();
  const nixRepo = await scope.repo({ "binder/default.nix": "with import <nixpkgs> {}; mkShell {}\n", "binder/start": '#!/bin/bash\necho "start: $IN_NIX_SHELL $NIX_FILE"\nexec "$@"\n' });
  const { plan } = await planRepo(nixRepo, { userId: 1000, userName: "jovyan" });
  const script = (name: string) => readFileSync(path.join(REPO_ROOT, "buildpacks/scripts", name), "utf8");
  const context = await scope.repo({
    "r2d-entrypoint": script("r2d-entrypoint"),
    "nix-shell-wrapper": script("nix-shell-wrapper"),
    "nix-shell": STUB_NIX_SHELL,
    start: readFileSync(path.join(nixRepo, "binder/start"), "utf8"),
    Dockerfile: [
      `FROM ${infra.baseDebian}`,
      "COPY r2d-entrypoint /usr/local/bin/r2d-entrypoint",
      // The wrapper keeps the mode r2d gives helper scripts (0644): the ENTRYPOINT runs it with bash.
      "COPY nix-shell-wrapper /usr/local/lib/r2d/nix-shell-wrapper",
      "COPY nix-shell /usr/local/bin/nix-shell",
      `COPY start ${plan.env.R2D_ENTRYPOINT}`,
      `RUN chmod 0755 /usr/local/bin/r2d-entrypoint /usr/local/bin/nix-shell ${plan.env.R2D_ENTRYPOINT} && chmod 0644 /usr/local/lib/r2d/nix-shell-wrapper`,
      `ENV R2D_ENTRYPOINT=${plan.env.R2D_ENTRYPOINT}`,
      `ENTRYPOINT ${JSON.stringify(plan.entrypoint)}`,
      'CMD ["echo", "default command"]',
      "",
    ].join("\n"),
  });
  image = scope.image("nix-entrypoint");
  const built = await docker(infra, ["build", "--network", "host", "-t", image, context]);
  if (built.exitCode !== 0) throw new Error(`docker build failed: ${built.stderr}`);
}, 300_000);
afterAll(() => scope.dispose());

describe("a Nix image's entrypoint (real container, stub nix-shell)", () => {
  it("runs start inside nix-shell default.nix, then the default command", async () => {
    const r = await runImage(infra, image, []);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("start: impure /home/jovyan/binder/default.nix\ndefault command"); // execa drops the last newline
  });

  it("hands a given command its arguments unchanged, and its exit status back", async () => {
    const r = await runImage(infra, image, ["bash", "-c", 'printf "%s|" "$@"; exit 3', "_", "a b", "c'd", "$HOME", ""]);
    expect(r.stdout).toBe("start: impure /home/jovyan/binder/default.nix\na b|c'd|$HOME||");
    expect(r.exitCode).toBe(3);
  });
});
