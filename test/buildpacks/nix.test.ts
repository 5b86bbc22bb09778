/**
 * The Nix pack, checked structurally (the test machines cannot reach Nix's releases or channels): Nix
 * installed for the image user, the channel set up before anything of the repository, the environment
 * built from default.nix, and nix-shell wrapping the start script and the command.
 */
import { afterEach, describe, expect, it } from "vitest";
import { NIX_SHA256, NIX_VERSION, NIXPKGS_CHANNEL } from "../../src/buildpacks/nix.js";
import { detectRepo } from "../../src/detect/index.js";
import { makePlan, type PlanOptions } from "../../src/plan/index.js";
import { renderDockerfile } from "../../src/render/index.js";
import { TempFiles, type Tree } from "../helpers/repo.js";
import { indexOf, instructions } from "./dockerfile-lines.js";

const temp = new TempFiles();
afterEach(() => temp.cleanup());

async function plan(tree: Tree, options: PlanOptions = {}) {
  const facts = await detectRepo(await temp.repo(tree));
  return makePlan(facts, { invoking: { uid: 0, name: "root" }, ...options });
}

const SHELL_NIX = "with import <nixpkgs> {}; mkShell { buildInputs = [ python3 ]; }\n";
const WRAPPER = "/usr/local/lib/r2d/nix-shell-wrapper";
const ENTRYPOINT = "/usr/local/bin/r2d-entrypoint";

describe("the Nix pack's Dockerfile", () => {
  it("gives /nix to the image user as root, installs Nix as that user, and builds default.nix before the code", async () => {
    const p = await plan({ "default.nix": SHELL_NIX, "main.py": "print(1)\n" }, { userId: 1234, userName: "ada" });
    const lines = instructions(renderDockerfile(p));
    const root = indexOf(lines, /^RUN .*chown 1234:1234 \/nix /);
    expect(lines[root]).toContain("echo 'sandbox = false' > /etc/nix/nix.conf");
    const helpers = [indexOf(lines, /^COPY r2d\/install-nix \/usr\/local\/lib\/r2d\/install-nix$/), indexOf(lines, /^COPY r2d\/nix-shell-wrapper /)];
    const becomeUser = indexOf(lines, /^USER ada$/);
    const install = indexOf(lines, new RegExp(`^RUN bash /usr/local/lib/r2d/install-nix ${NIX_VERSION} ${NIX_SHA256.x86_64} ${NIX_SHA256.aarch64} && nix-channel --add ${NIXPKGS_CHANNEL} nixpkgs && nix-channel --update$`));
    const copyNix = indexOf(lines, /^COPY --chown=1234:1234 \["src\/default\.nix"/);
    const build = indexOf(lines, /^RUN nix-shell default\.nix --run true$/);
    const copyRepo = indexOf(lines, /^COPY --chown=1234:1234 \["src\/",/);
    expect(Math.max(root, ...helpers)).toBeLessThan(becomeUser);
    expect(becomeUser).toBeLessThan(install);
    expect(install).toBeLessThan(copyNix);
    expect(copyNix).toBeLessThan(build);
    expect(build).toBeLessThan(copyRepo);
    expect(p.env).toMatchObject({ NIX_PATH: "nixpkgs=/home/ada/.nix-defexpr/channels/nixpkgs", NIX_SSL_CERT_FILE: "/etc/ssl/certs/ca-certificates.crt" });
    expect(p.path[0]).toBe("/home/ada/.nix-profile/bin");
  });

  it("builds default.nix after the code is copied when it refers to files in the repository", async () => {
    const p = await plan({ "default.nix": "import ./nix/shell.nix {}\n", "nix/shell.nix": "{}: {}\n" });
    expect(p.dependencyFiles).toEqual([]);
    expect(p.preAssembleSteps).toEqual([]);
    expect(p.assembleSteps.map((s) => s.commands)).toEqual([["nix-shell default.nix --run true"]]);
    expect(p.messages).toContainEqual({ level: "info", text: "default.nix refers to files in the repository (./nix/shell.nix), so nix-shell builds it after the code is copied" });
  });

  it("wraps the entrypoint in nix-shell, so start and the command run inside it", async () => {
    const p = await plan({ "binder/default.nix": SHELL_NIX, "binder/start": '#!/bin/bash\nexec "$@"\n', "binder/postBuild": "#!/bin/bash\necho hi\n", "binder/apt.txt": "vim\n" }, { targetRepoDir: "/srv/repo" });
    const lines = instructions(renderDockerfile(p));
    expect(lines.filter((l) => l.startsWith("ENTRYPOINT "))).toEqual([`ENTRYPOINT ["/bin/bash","${WRAPPER}","/srv/repo/binder/default.nix","${ENTRYPOINT}"]`]);
    expect(lines).toContain("ENV R2D_ENTRYPOINT=/srv/repo/binder/start");
    expect(lines).toContain("RUN ./binder/postBuild");
    expect(lines.find((l) => l.includes("apt-get install -y -q --no-install-recommends -- vim"))).toBeDefined();
    expect(p.detected.map((d) => d.path)).toEqual(["binder/default.nix", "binder/apt.txt", "binder/postBuild", "binder/start"]);
  });

  it("says which files it does not read, and refuses a repository directory inside /nix", async () => {
    const p = await plan({ "default.nix": SHELL_NIX, "requirements.txt": "numpy\n", "environment.yml": "dependencies: [numpy]\n" });
    expect(p.ignored.map((i) => i.reason)).toEqual([expect.stringMatching(/nix buildpack installs only what default\.nix lists/), expect.stringMatching(/nix buildpack installs only what default\.nix lists/)]);
    await expect(plan({ "default.nix": SHELL_NIX }, { targetRepoDir: "/nix/repo" })).rejects.toThrow(/inside \/nix, where r2d installs the environment/);
  });

  it("other packs keep r2d's entrypoint alone at the front", async () => {
    const p = await plan({ "requirements.txt": "numpy\n" });
    expect(p.entrypoint).toEqual([ENTRYPOINT]);
  });
});
