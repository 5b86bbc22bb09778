import { afterEach, describe, expect, it } from "vitest";
import { detectRepo } from "../../src/detect/index.js";
import { planRepo } from "../../src/index.js";
import { makePlan } from "../../src/plan/index.js";
import type { Tree } from "../helpers/repo.js";
import { expectNoSecrets, makeJail, type Jail } from "../source/helpers.js";
import { expectConfigErrorAsync } from "./helpers.js";

const jails: Jail[] = [];
afterEach(async () => {
  for (const j of jails.splice(0)) await j.cleanup();
});

async function jail(files: Tree): Promise<Jail> {
  const j = await makeJail(files);
  jails.push(j);
  return j;
}

const INVOKING = { invoking: { uid: 0, name: "root" } };

describe("requirements.txt: -r / -c targets must exist inside the repository", () => {
  it("nested includes, relative to the including file, a cycle, and a URL are all fine", async () => {
    const j = await jail({
      "binder/requirements.txt": "numpy\n-r reqs/base.txt\n-c constraints.txt\n-r https://example.org/reqs.txt\n",
      "binder/constraints.txt": "numpy<2\n",
      "binder/reqs/base.txt": "pandas\n-r ../requirements.txt\n-r more.txt\n",
      "binder/reqs/more.txt": "--extra-index-url https://extra.example/simple\nscipy\n",
    });
    const facts = await detectRepo(j.repo);
    expect(facts.files.requirements?.error).toBeUndefined();
    expect(facts.files.requirements?.data?.indexOptions).toEqual([{ file: "binder/reqs/more.txt", line: 1, option: "--extra-index-url", value: "https://extra.example/simple" }]);
  });

  it.each<[string, Tree, string, number, RegExp]>([
    ["a missing target", { "requirements.txt": "numpy\n\n-r dev.txt\n" }, "requirements.txt", 3, /-r "dev\.txt": no such file in the repository/],
    ["a missing -c target in binder/", { "binder/requirements.txt": "-c pins.txt\n" }, "binder/requirements.txt", 1, /-c "pins\.txt": no such file/],
    ["a missing target two levels down", { "requirements.txt": "-r a.txt\n", "a.txt": "x\n-r sub/b.txt\n" }, "a.txt", 2, /-r "sub\/b\.txt": no such file/],
    ["a target above the repository", { "requirements.txt": "-r ../outside/requirements.txt\n" }, "requirements.txt", 1, /-r "\.\.\/outside\/requirements\.txt" is outside the repository/],
    ["an absolute target", { "requirements.txt": "numpy\n--requirement /etc/passwd\n" }, "requirements.txt", 2, /-r "\/etc\/passwd" is outside the repository/],
    ["a target that links outside", { "requirements.txt": "-r extra.txt\n", "extra.txt": { symlink: "OUTSIDE/requirements.txt" } }, "requirements.txt", 1, /-r "extra\.txt" is a symlink to .*, outside the repository/],
    ["a target that is a directory", { "requirements.txt": "-r reqs\n", "reqs/a.txt": "x\n" }, "requirements.txt", 1, /-r "reqs" is a directory, not a file/],
    ["-r with no file", { "requirements.txt": "-r\n" }, "requirements.txt", 1, /-r needs a file name/],
  ])("%s is an error naming the including file and line", async (_, files, file, line, message) => {
    const j = await jail(files);
    const facts = await detectRepo(j.repo);
    const err = facts.files.requirements?.error;
    expect(err?.location).toEqual({ file, line });
    expect(err?.message).toMatch(message);
    expect(err?.hint).toBeTruthy();
    // The plan uses requirements.txt, so the error stops it.
    await expectConfigErrorAsync(planRepo(j.repo, INVOKING), { file, line, message });
    await expectNoSecrets(j, `${err?.message}`);
  });

  it("a missing include in a requirements.txt the plan ignores (conda) does not stop the build", async () => {
    const j = await jail({ "environment.yml": "dependencies:\n  - numpy\n", "requirements.txt": "-r missing.txt\n" });
    const { plan } = await planRepo(j.repo, INVOKING);
    expect(plan.buildpack).toBe("conda");
  });

  it("credentials in an included file are reported with that file's path", async () => {
    const j = await jail({ "requirements.txt": "-r private.txt\n", "private.txt": "numpy\n--extra-index-url https://bob:hunter22@idx.example/simple\n" });
    const facts = await detectRepo(j.repo);
    expect(facts.credentials).toEqual([{ path: "private.txt", line: 2, redacted: "https://***@idx.example" }]);
  });
});

describe("requirements.txt index options against --pip-index-url", () => {
  it("--index-url in the file with --pip-index-url given: an error naming file and line, credentials masked", async () => {
    const j = await jail({ "requirements.txt": "numpy\n--index-url https://alice:s3cret@other.example/simple\n" });
    const e = await expectConfigErrorAsync(planRepo(j.repo, { ...INVOKING, pipIndexUrl: "https://u:p@mine.example/simple" }), {
      file: "requirements.txt",
      line: 2,
      message: /sets --index-url https:\/\/alice:\*\*\*\*@other\.example\/simple, which would silently override --pip-index-url/,
    });
    expect(e.hint).toBe("remove that line from requirements.txt, or drop --pip-index-url");
    expect(e.message).not.toContain("s3cret");
  });

  it("--no-index in an included file also conflicts, and is named by its own file", async () => {
    const j = await jail({ "requirements.txt": "-r base.txt\n", "base.txt": "numpy\n--no-index\n" });
    await expectConfigErrorAsync(planRepo(j.repo, { ...INVOKING, pipIndexUrl: "https://mine.example/simple" }), { file: "base.txt", line: 2, message: /sets --no-index, which would silently override/ });
  });

  it("only the file sets an index: an info message says it is used, without the password", async () => {
    const j = await jail({ "requirements.txt": "-i https://alice:s3cret@other.example/simple?token=zz\n--extra-index-url https://extra.example/simple\nnumpy\n" });
    const facts = await detectRepo(j.repo);
    const plan = makePlan(facts, INVOKING);
    const infos = plan.messages.filter((m) => m.level === "info" && /sets/.test(m.text)).map((m) => m.text);
    expect(infos).toEqual([
      "requirements.txt:1 sets its own package index (--index-url https://alice:****@other.example/simple?****); it is used",
      "requirements.txt:2 sets a package index option (--extra-index-url https://extra.example/simple); it is used",
    ]);
    expect(JSON.stringify(plan)).not.toMatch(/s3cret|token=zz/);
  });

  it("--extra-index-url in the file with --pip-index-url given is not a conflict (pip adds it)", async () => {
    const j = await jail({ "requirements.txt": "--extra-index-url https://extra.example/simple\nnumpy\n" });
    const { plan } = await planRepo(j.repo, { ...INVOKING, pipIndexUrl: "https://mine.example/simple" });
    expect(plan.messages.some((m) => m.text.startsWith("requirements.txt:1 sets a package index option"))).toBe(true);
  });

  it("a requirements.txt the plan does not use (Dockerfile) is not checked against the flag", async () => {
    const j = await jail({ Dockerfile: "FROM python:3.12\n", "requirements.txt": "--index-url https://other.example/simple\n" });
    const { plan } = await planRepo(j.repo, { ...INVOKING, pipIndexUrl: "https://mine.example/simple" });
    expect(plan.buildpack).toBe("dockerfile");
  });
});
