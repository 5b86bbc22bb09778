/**
 * renv.lock against the local CRAN-like repository: an archived (older) version installed exactly,
 * from the repository named in the lock and from --cran-mirror (which replaces the one named CRAN), a
 * version the repository lacks failing the build by the package's name;
 * and `r2d freeze`'s round trip for an install.R repository, after the repository publishes a newer version.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { buildRepo, freezeRepo, type BuildError } from "../../src/index.js";
import { loadInfra, type Infra } from "../helpers/infra.js";
import { buildOptions, Scope, sh } from "./helpers.js";

let infra: Infra;
const scope = new Scope(() => infra);
beforeAll(async () => {
  infra = await loadInfra();
});
afterAll(() => scope.dispose());

const TIMEOUT = 900_000;
const rOptions = (extra: Parameters<typeof buildOptions>[1] = {}) => buildOptions(infra, { baseImage: infra.baseR, ...extra });
const installed = (image: string, pkg: string) => sh(infra, image, `Rscript -e 'cat(packageDescription("${pkg}")$Version, find.package("${pkg}"))'`);
const failed = (what: string) => (e: unknown) => {
  throw new Error(`${what} failed: ${(e as Error).message}\n${(e as BuildError).log ?? ""}`);
};

it("renv.lock: the archived version of a package, from the lock's repository and the mirror", async () => {
  const lock = {
    R: { Version: infra.rVersion, Repositories: [{ Name: "CRAN", URL: "http://cran.invalid" }, { Name: "LOCAL", URL: infra.cran }] },
    Packages: {
      [infra.rPkgWithDep]: { Package: infra.rPkgWithDep, Version: infra.rPkgWithDepVersion, Source: "Repository", Repository: "CRAN", Requirements: [infra.rPkg] },
      [infra.rPkg]: { Package: infra.rPkg, Version: infra.rPkgOldVersion, Source: "Repository", Repository: "LOCAL" },
    },
  };
  const repo = await scope.repo({ "renv.lock": JSON.stringify(lock, null, 2), "install.R": `install.packages("${infra.rPkg}")\n` });
  const result = await buildRepo(repo, rOptions({ imageName: scope.image("renv") })).catch(failed("the build"));
  expect(result.plan.buildpack).toBe("renv");
  expect(await installed(result.imageName, infra.rPkg)).toBe(`${infra.rPkgOldVersion} /srv/rlibs/${infra.rPkg}`);
  expect(await installed(result.imageName, infra.rPkgWithDep)).toBe(`${infra.rPkgWithDepVersion} /srv/rlibs/${infra.rPkgWithDep}`);
}, TIMEOUT);

it("renv.lock: a version the repository does not have fails the build, naming the package", async () => {
  const lock = { R: { Version: infra.rVersion, Repositories: [{ Name: "CRAN", URL: "http://cran.invalid" }] }, Packages: { [infra.rPkg]: { Package: infra.rPkg, Version: "0.0.9", Source: "Repository", Repository: "CRAN" } } };
  const repo = await scope.repo({ "renv.lock": JSON.stringify(lock) });
  const err = await buildRepo(repo, rOptions({ imageName: scope.image("renv-missing") })).then(() => null, (e: unknown) => e);
  expect((err as Error | null)?.name).toBe("BuildError");
  expect((err as BuildError).log).toContain(`r2d: R package ${infra.rPkg} 0.0.9 is not in the repository CRAN (looked in src/contrib/Archive)`);
}, TIMEOUT);

/**
 * A private CRAN-like repository served on 127.0.0.1 (the build uses the host network): publishing a
 * version makes it current and moves the one before to src/contrib/Archive/<pkg>/, as CRAN does.
 */
async function privateCran(dir: string): Promise<{ url: string; publish(pkg: string, version: string): Promise<void>; server: Server }> {
  const contrib = path.join(dir, "src", "contrib");
  const current = new Map<string, string>();
  const publish = async (pkg: string, version: string) => {
    const tarball = `${pkg}_${version}.tar.gz`;
    const infraContrib = path.join(infra.infraDir, "cran", "src", "contrib");
    const source = await readFile(path.join(infraContrib, tarball)).catch(() => readFile(path.join(infraContrib, "Archive", pkg, tarball)));
    await mkdir(path.join(contrib, "Archive", pkg), { recursive: true });
    const before = current.get(pkg);
    if (before) await rename(path.join(contrib, `${pkg}_${before}.tar.gz`), path.join(contrib, "Archive", pkg, `${pkg}_${before}.tar.gz`));
    await writeFile(path.join(contrib, tarball), source);
    current.set(pkg, version);
    await writeFile(path.join(contrib, "PACKAGES"), [...current].map(([p, v]) => `Package: ${p}\nVersion: ${v}\nNeedsCompilation: no\n`).join("\n"));
  };
  const server = createServer((req, res) => {
    const rel = decodeURIComponent((req.url ?? "/").split("?")[0]!);
    readFile(path.join(dir, path.normalize(rel).replace(/^(\.\.[/\\])+/, ""))).then(
      (body) => res.setHeader("Content-Type", "application/octet-stream").end(body),
      () => { res.statusCode = 404; res.end(); },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, publish, server };
}

it("r2d freeze: the next build installs what was frozen, after the repository publishes a newer version", async () => {
  const cran = await privateCran(await scope.tmp("r2d-itg-cran-"));
  try {
    await cran.publish(infra.rPkg, infra.rPkgOldVersion);
    // A unique line: BuildKit's cache keys do not include the mirror (a secret).
    const repo = await scope.repo({ "install.R": `# ${cran.url}\ninstall.packages("${infra.rPkg}")\n`, "runtime.txt": "r-4.2-2024-01-01\n" });
    const options = rOptions({ cranMirror: cran.url, imageName: scope.image("r-freeze") });
    const frozen = await freezeRepo(repo, options).catch(failed("freeze"));
    expect(frozen.path).toBe("renv.lock");
    expect(frozen.changes).toEqual([`+ ${infra.rPkg} ${infra.rPkgOldVersion}`]);
    const lock = JSON.parse(await readFile(path.join(repo, "renv.lock"), "utf8")) as { R: { Version: string; Repositories: unknown[] }; Packages: Record<string, unknown> };
    expect(lock.R).toEqual({ Version: infra.rVersion, Repositories: [{ Name: "CRAN", URL: cran.url }] });
    expect(lock.Packages).toEqual({ [infra.rPkg]: { Package: infra.rPkg, Version: infra.rPkgOldVersion, Source: "Repository", Repository: "CRAN" } });

    await cran.publish(infra.rPkg, infra.rPkgVersion);
    const rebuilt = await buildRepo(repo, { ...options, imageName: scope.image("r-refrozen") }).catch(failed("the rebuild"));
    expect(rebuilt.plan.buildpack).toBe("renv");
    expect(await installed(rebuilt.imageName, infra.rPkg)).toBe(`${infra.rPkgOldVersion} /srv/rlibs/${infra.rPkg}`);

    // Freezing again from the existing image changes nothing.
    const again = await freezeRepo(repo, { ...options, imageName: rebuilt.imageName });
    expect(again.changes).toEqual([]);
  } finally {
    cran.server.close();
  }
}, TIMEOUT * 2);
