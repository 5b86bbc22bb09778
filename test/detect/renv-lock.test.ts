import { describe, expect, it } from "vitest";
import { lockedList } from "../../src/buildpacks/renv.js";
import { parseRenvLock } from "../../src/detect/renv-lock.js";
import { ConfigError } from "../../src/errors.js";

const CRAN = { Name: "CRAN", URL: "https://cran.example.org/" };
const pkg = (name: string, version: string, extra: Record<string, unknown> = {}) => ({ Package: name, Version: version, Source: "Repository", Repository: "CRAN", ...extra });
const lock = (packages: Record<string, unknown>, repositories: unknown[] = [CRAN], r: Record<string, unknown> = { Version: "4.3.1" }) =>
  JSON.stringify({ R: { ...r, Repositories: repositories }, Packages: packages }, null, 2);

function error(text: string): ConfigError {
  try {
    parseRenvLock(text, "binder/renv.lock");
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("parseRenvLock", () => {
  it("reads R's version, the repositories and the packages, in dependency order", () => {
    const parsed = parseRenvLock(lock({ zeta: pkg("zeta", "1.0-2", { Requirements: ["alpha.x", "methods"] }), "alpha.x": pkg("alpha.x", "0.1.0", { Requirements: ["beta"] }), beta: pkg("beta", "2.0"), gamma: pkg("gamma", "3.1.4") }));
    expect(parsed.rVersion).toBe("4.3.1");
    expect(parsed.repositories).toEqual([{ name: "CRAN", url: "https://cran.example.org" }]);
    expect(parsed.packages.map((p) => p.name)).toEqual(["beta", "alpha.x", "gamma", "zeta"]);
    expect(parsed.packages.find((p) => p.name === "zeta")).toMatchObject({ version: "1.0-2", repository: "CRAN" });
  });

  it("writes the helper's list: package, version, repository name and URL per line", () => {
    const parsed = parseRenvLock(lock({ aa: pkg("aa", "1.0") }));
    expect(lockedList(parsed)).toBe("aa\t1.0\tCRAN\thttps://cran.example.org\n");
  });

  it("refuses GitHub and other sources, naming the package and its line", () => {
    const text = lock({ ok: pkg("ok", "1.0"), remote: pkg("remote", "1.0", { Source: "GitHub", RemoteUsername: "x" }) });
    const err = error(text);
    expect(err.message).toContain("package remote comes from \"GitHub\"");
    expect(err.message).toContain("git host is not supported");
    expect(err.location).toEqual({ file: "binder/renv.lock", line: text.split("\n").findIndex((l) => l.includes('"remote": {')) + 1 });
    expect(error(lock({ loc: pkg("loc", "1.0", { Source: "Local" }) })).message).toContain("package loc comes from \"Local\"");
  });

  it("refuses bad names, versions, unknown repositories, URLs and cycles", () => {
    expect(error(lock({ "bad;rm": pkg("bad;rm", "1.0") })).message).toContain("not an R package name");
    expect(error(lock({ a1: pkg("a1", "1.0'; system('x')") })).message).toContain("package a1 has the version");
    expect(error(lock({ a1: pkg("a1", "1") })).message).toContain("not an R package version");
    expect(error(lock({ a1: pkg("a1", "1.0", { Repository: "PPM" }) })).message).toContain("repository \"PPM\", which R.Repositories does not list");
    expect(error(lock({ a1: pkg("a1", "1.0") }, [{ Name: "CRAN", URL: "https://x.org/a b" }])).message).toContain("repository CRAN has the URL");
    expect(error(lock({ a1: pkg("a1", "1.0") }, [{ Name: "CR AN", URL: "https://x.org" }])).message).toContain("R.Repositories has a repository named");
    expect(error(lock({ a1: pkg("a1", "1.0", { Requirements: ["b1"] }), b1: pkg("b1", "1.0", { Requirements: ["a1"] }) })).message).toContain("cycle: a1 -> b1 -> a1");
    expect(error(lock({ a1: pkg("a1", "1.0", { Package: "b1" }) })).message).toContain("the two must be the same");
    expect(error(lock({}, [CRAN], { Version: "4.x" })).message).toContain("R.Version");
    expect(error("{ not json").message).toMatch(/^binder\/renv.lock: is not valid JSON/);
  });
});
