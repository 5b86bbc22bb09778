/**
 * --target-repo-dir puts the repository outside the home (still the user's), and --appendix runs
 * last; a directory the base image already fills with root's files is never taken over.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execa } from "execa";
import { BuildError, buildRepo, type BuildRepoResult } from "../../src/index.js";
import { loadInfra, type Infra } from "../helpers/infra.js";
import { script } from "../helpers/repo.js";
import { buildOptions, eventLog, imageId, inspect, Scope, sh } from "./helpers.js";

let infra: Infra;
const scope = new Scope(() => infra);
beforeAll(async () => {
  infra = await loadInfra();
});
afterAll(() => scope.dispose());

describe("targetRepoDir /srv/repo and appendix", () => {
  let image: string;
  let result: BuildRepoResult;

  beforeAll(async () => {
    const repo = await scope.repo({
      "app.py": "print('app')\n",
      "requirements.txt": `${infra.pyDep}\n`,
      "run.sh": script("#!/bin/bash\necho \"run.sh in $(pwd)\"\n"),
      postBuild: script('#!/bin/bash\nset -e\necho "postBuild in $(pwd)" > postbuild.txt\n'),
    });
    image = scope.image("target-dir");
    result = await buildRepo(
      repo,
      buildOptions(infra, {
        imageName: image,
        targetRepoDir: "/srv/repo",
        appendix: 'ENV R2D_APPENDIX="from appendix"\nRUN echo "appendix ran as $(whoami) in $(pwd)" > /srv/repo/appendix.txt',
      }),
    );
  });

  it("the repository lands in /srv/repo, the working directory, and the home stays empty of it", async () => {
    expect(result.plan.repoDir).toBe("/srv/repo");
    const home = `/home/${result.plan.user.name}`;
    const out = await sh(infra, image, `pwd; echo "$REPO_DIR"; test ! -e ${home}/app.py && echo not-in-home; ls /srv/repo`);
    const [pwd, repoDir, notInHome, ...files] = out.split("\n");
    expect([pwd, repoDir, notInHome]).toEqual(["/srv/repo", "/srv/repo", "not-in-home"]);
    expect(files.sort()).toEqual(["app.py", "appendix.txt", "postBuild", "postbuild.txt", "requirements.txt", "run.sh"]);
    expect((await inspect(infra, image)).Config.Cmd).toEqual(["/srv/repo/run.sh"]);
    expect(await sh(infra, image, "/srv/repo/run.sh")).toBe("run.sh in /srv/repo");
  });

  it("/srv/repo is writable by the user", async () => {
    const user = result.plan.user;
    const out = await sh(infra, image, "stat -c '%U %u' /srv/repo /srv/repo/app.py; touch /srv/repo/new-file && mkdir /srv/repo/out && echo writable");
    expect(out).toBe(`${user.name} ${user.uid}\n${user.name} ${user.uid}\nwritable`);
  });

  it("postBuild and pip ran there, and the appendix ran after them", async () => {
    expect(await sh(infra, image, `cat postbuild.txt; python -c 'import ${infra.pyDepModule}; print("ok")'`)).toBe("postBuild in /srv/repo\nok");
    expect(await sh(infra, image, 'cat /srv/repo/appendix.txt; echo "$R2D_APPENDIX"')).toBe(
      `appendix ran as ${result.plan.user.name} in /srv/repo\nfrom appendix`,
    );
  });
});

describe("targetRepoDir /opt over a base image whose /opt holds root's files", () => {
  let base: string;

  beforeAll(async () => {
    base = scope.image("opt-base");
    const dockerfile = `FROM ${infra.basePython}\nRUN mkdir -p /opt && echo tool > /opt/tool && chown -R root:root /opt\n`;
    const r = await execa(infra.docker, ["build", "--network", "host", "-t", base, "-"], { input: dockerfile, env: { DOCKER_BUILDKIT: "1" }, reject: false });
    expect(r.exitCode, String(r.stderr)).toBe(0);
  });

  it("the build fails in the root step with a message naming the directory, and no image is tagged", async () => {
    const repo = await scope.repo({ "app.py": "print('app')\n" });
    const image = scope.image("opt-target");
    const log = eventLog();
    const err = await buildRepo(repo, buildOptions(infra, { imageName: image, baseImage: base, targetRepoDir: "/opt", onEvent: log.onEvent })).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BuildError);
    const e = err as BuildError;
    expect(e.step).toMatch(/realpath -m/);
    expect(e.log).toContain("r2d: --target-repo-dir /opt already exists in the base image, is not empty and is not owned by the image user");
    expect(e.log).toContain("choose a new directory such as /srv/repo");
    expect(await imageId(infra, image)).toBeNull();
  });

  it("the base image's /opt is untouched (still root's) when the repository goes elsewhere", async () => {
    const repo = await scope.repo({ "app.py": "print('app')\n" });
    const image = scope.image("opt-elsewhere");
    await buildRepo(repo, buildOptions(infra, { imageName: image, baseImage: base, targetRepoDir: "/srv/app" }));
    expect(await sh(infra, image, "stat -c '%U' /opt /opt/tool; ls /srv/app")).toBe("root\nroot\napp.py");
  });
});
