/** repo2docker's run flags: -E/--editable mounts the repository, -P publishes the exposed ports. */
import { chmod, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRepo } from "../../src/index.js";
import { loadInfra, type Infra } from "../helpers/infra.js";
import { buildOptions, cli, compileCli, Scope } from "./helpers.js";

let infra: Infra;
const scope = new Scope(() => infra);
beforeAll(async () => {
  infra = await loadInfra();
  await compileCli();
});
afterAll(() => scope.dispose());

describe("run options", () => {
  it("--editable: the running container works in the host's repository, so its writes land there", async () => {
    const repo = await scope.repo({ "requirements.txt": `${infra.pyDep}\n`, "app.py": "print('from the image')\n" });
    await chmod(repo, 0o777);
    const name = scope.image("editable");
    const result = await buildRepo(repo, {
      ...buildOptions(infra, { run: true }),
      imageName: name,
      editable: true,
      command: ["sh", "-c", "pwd; echo written-inside > written.txt; cat app.py"],
    });
    expect(result.run?.exitCode).toBe(0);
    expect(result.run?.stdout).toContain("/home/");
    expect(await readFile(path.join(repo, "written.txt"), "utf8")).toBe("written-inside\n");
  });

  it("--editable with a git URL is refused before anything is built", async () => {
    const r = await cli(["https://example.org/repo.git", "--editable", "--no-build"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("--editable");
  });
});
