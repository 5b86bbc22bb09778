/**
 * The Python buildpack end to end: requirements.txt from the local pip index, the user's venv,
 * postBuild and start, layer reuse after a code change, and index credentials kept out of the image.
 */
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRepo, type BuildRepoResult } from "../../src/index.js";
import { loadInfra, type Infra } from "../helpers/infra.js";
import { buildOptions, docker, inspect, Scope, sh, step } from "./helpers.js";

let infra: Infra;
const scope = new Scope(() => infra);
beforeAll(async () => {
  infra = await loadInfra();
});
afterAll(() => scope.dispose());

// A nonce makes the code new on every run, so the COPY of the repository is never a cache hit from a previous run.
const APP_V1 = `import r2d_greet\n\nRUN_ID = "${randomBytes(8).toString("hex")}"\nVERSION = "one"\nprint(VERSION, r2d_greet.greet("app"))\n`;

describe("requirements.txt, postBuild and start", () => {
  let repo: string;
  let image: string;
  let first: BuildRepoResult;

  beforeAll(async () => {
    repo = await scope.repo({
      "requirements.txt": `${infra.pyPkg}\n`,
      "app.py": APP_V1,
      // Not executable on purpose: r2d makes the scripts executable in the image.
      postBuild: '#!/bin/bash\nset -euo pipefail\necho "made by postBuild as $(whoami)" > "$HOME/postbuild-marker.txt"\n',
      start: '#!/bin/bash\nexport R2D_START_VAR="set-by-start"\nexec "$@"\n',
    });
    image = scope.image("python");
    first = await buildRepo(
      repo,
      buildOptions(infra, {
        imageName: image,
        run: true,
        command: ["python", "-c", `import sys, ${infra.pyPkgModule} as m; print(m.greet("itg")); print(sys.prefix)`],
      }),
    );
  });

  it("installs the package and its dependency from the local index, and the API runs the command", () => {
    expect(first.plan.buildpack).toBe("python");
    expect(first.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(first.run?.exitCode).toBe(0);
    expect(first.run?.stdout).toContain(`${infra.pyPkg} ${infra.pyPkgVersion}: hello, itg (${infra.pyDep} ${infra.pyDepVersion})`);
    expect(first.run?.stdout).toContain("/srv/venv");
  });

  it("python and pip are the venv's, owned by the image user", async () => {
    const out = await sh(
      infra,
      image,
      `command -v python; command -v pip; stat -c '%U %u' /srv/venv /srv/venv/bin/python "$(python -c 'import r2d_greet, os; print(os.path.dirname(r2d_greet.__file__))')"; whoami; id -u; pip list --format=freeze 2>/dev/null | grep -i r2d`,
    );
    const lines = out.split("\n");
    expect(lines.slice(0, 2)).toEqual(["/srv/venv/bin/python", "/srv/venv/bin/pip"]);
    const user = first.plan.user;
    expect(lines.slice(2, 5)).toEqual([`${user.name} ${user.uid}`, `${user.name} ${user.uid}`, `${user.name} ${user.uid}`]);
    expect(lines.slice(5, 7)).toEqual([user.name, String(user.uid)]);
    expect(out).toContain(`${infra.pyPkg}==${infra.pyPkgVersion}`);
    expect(out).toContain(`${infra.pyDep}==${infra.pyDepVersion}`);
  });

  it("the venv is writable by the user (pip install works at run time too)", async () => {
    const out = await sh(infra, image, "touch /srv/venv/lib/writable && echo ok");
    expect(out).toBe("ok");
  });

  it("postBuild ran at build time and wrote into $HOME", async () => {
    const out = await sh(infra, image, 'cat "$HOME/postbuild-marker.txt"; echo "$HOME"');
    expect(out).toBe(`made by postBuild as ${first.plan.user.name}\n/home/${first.plan.user.name}`);
  });

  it("start wraps every command: its variable is visible to the command", async () => {
    expect(await sh(infra, image, 'echo "var=$R2D_START_VAR"')).toBe("var=set-by-start");
    // Also for a command that is not a shell (exec "$@" passes it through).
    const r = await docker(infra, ["run", "--rm", "--network", "none", image, "printenv", "R2D_START_VAR"]);
    expect(String(r.stdout).trim()).toBe("set-by-start");
  });

  it("a one-line code change rebuilds on top of the cached dependency layers", async () => {
    await writeFile(path.join(repo, "app.py"), APP_V1.replace('"one"', '"two"'));
    const second = await buildRepo(repo, buildOptions(infra, { imageName: scope.image("python-rebuild") }));
    const steps = second.build?.steps;
    expect(step(steps, "pip install").status).toBe("cached");
    expect(step(steps, "python3 -m venv").status).toBe("cached");
    expect(step(steps, `COPY --chown=${first.plan.user.uid}:${first.plan.user.uid} [src/,`).status).toBe("done");
    expect(second.imageId).not.toBe(first.imageId);
    expect(await sh(infra, second.imageName, "python app.py")).toBe(
      `two ${infra.pyPkg} ${infra.pyPkgVersion}: hello, app (${infra.pyDep} ${infra.pyDepVersion})`,
    );
  });
});

describe("pip index credentials", () => {
  const TOKEN = "s3cr3t-token";
  let image: string;
  let result: BuildRepoResult;

  beforeAll(async () => {
    const url = new URL(infra.pipIndex);
    url.username = "user";
    url.password = TOKEN;
    const repo = await scope.repo({ "requirements.txt": `${infra.pyDep}==${infra.pyDepOldVersion}\n` });
    image = scope.image("pip-credentials");
    result = await buildRepo(repo, buildOptions(infra, { imageName: image, pipIndexUrl: url.toString() }));
  });

  it("installs from an index URL with user:token@", async () => {
    const out = await sh(infra, image, `python -c 'import ${infra.pyDepModule} as m; print(m.__version__)'`);
    expect(out).toBe(infra.pyDepOldVersion);
  });

  it("the token is in neither docker history, docker inspect, the image files nor the result", async () => {
    const history = await docker(infra, ["history", "--no-trunc", "--format", "{{.CreatedBy}}", image]);
    expect(history.exitCode).toBe(0);
    expect(String(history.stdout)).toContain("/srv/venv");
    expect(String(history.stdout)).not.toContain(TOKEN);
    const insp = await docker(infra, ["image", "inspect", image]);
    expect(insp.exitCode).toBe(0);
    expect(String(insp.stdout)).not.toContain(TOKEN);
    expect(JSON.stringify((await inspect(infra, image)).Config.Labels)).not.toContain(TOKEN);
    const found = await sh(infra, image, `grep -rlF -- '${TOKEN}' /home /srv /etc /tmp /root /run 2>/dev/null || true`);
    expect(found).toBe("");
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });
});
