/** --target-repo-dir puts the repository outside the home (still the user's), and --appendix runs last. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRepo, type BuildRepoResult } from "../../src/index.js";
import { loadInfra, type Infra } from "../helpers/infra.js";
import { buildOptions, inspect, Scope, script, sh } from "./helpers.js";

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
