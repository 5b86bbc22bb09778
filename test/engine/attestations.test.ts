/** builder, provenance and sbom on each engine's command line: passed where the client can, refused before the build where it cannot. */
import { describe, expect, it } from "vitest";
import { engineOf } from "../../src/engine/adapters/index.js";
import { buildCommand } from "../../src/engine/build-command.js";
import type { BuildRequest, Engine } from "../../src/engine/types.js";
import { ConfigError } from "../../src/errors.js";

const classic = engineOf("docker", { client: "/usr/bin/docker", version: "20.10.24+dfsg1", reason: "test" });
const buildx = engineOf("buildx", { client: "/usr/bin/docker", version: "27.3.1", buildxVersion: "0.17.1", reason: "test" });
const oldBuildx = engineOf("buildx", { client: "/usr/bin/docker", version: "23.0.1", buildxVersion: "0.9.1", reason: "test" });
const buildctl = engineOf("buildctl", { client: "/usr/bin/buildctl", dockerClient: "/usr/bin/docker", version: "0.13.2", reason: "test" });

const req = (extra: Partial<BuildRequest>): BuildRequest => ({
  dockerfile: "r2d/Dockerfile", tags: ["a/m:1"], labels: {}, buildArgs: {}, secrets: [], cacheFrom: [], cacheTo: [],
  noCache: false, push: false, load: true, iidFile: "/o/iid", metadataFile: "/o/md.json", progress: "plain", ...extra,
});
const argv = (engine: Engine, extra: Partial<BuildRequest>) => buildCommand(engine, req(extra), "/ctx").args;

describe("builder and attestations", () => {
  it("buildx: --builder first, attestations as given", () => {
    const a = argv(buildx, { builder: "ci", provenance: "mode=max", sbom: "generator=x/y" });
    expect(a.slice(0, 4)).toEqual(["buildx", "build", "--builder", "ci"]);
    expect(a).toEqual(expect.arrayContaining(["--provenance=mode=max", "--sbom=generator=x/y"]));
    expect(argv(buildx, { provenance: "false" })).toContain("--provenance=false");
  });

  it("buildx before 0.10: no attestation flags; asking for one is refused, false is not", () => {
    expect(() => argv(oldBuildx, { sbom: "true" })).toThrow(/buildx 0\.9\.1 cannot attach an SBOM attestation .*need buildx 0\.10\.0/);
    expect(argv(oldBuildx, { provenance: "false", builder: "b" }).join(" ")).not.toMatch(/provenance/);
    expect(argv(oldBuildx, { builder: "b" })).toContain("--builder");
  });

  it("buildctl: attest options; a buildx builder is refused", () => {
    const a = argv(buildctl, { provenance: "true", sbom: "true" });
    expect(a).toEqual(expect.arrayContaining(["--opt", "attest:provenance=mode=min", "attest:sbom="]));
    expect(argv(buildctl, { provenance: "false" }).join(" ")).not.toMatch(/attest/);
    expect(() => argv(buildctl, { builder: "ci" })).toThrow(/buildctl \(\/usr\/bin\/buildctl\) cannot use the builder "ci"/);
  });

  it("classic docker: builder and attestations refused with the way out; false accepted", () => {
    const attempt = () => argv(classic, { provenance: "true" });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/^--provenance: the classic docker client .* cannot attach provenance attestation/);
    expect(() => argv(classic, { builder: "ci" })).toThrow(/^--builder: /);
    expect(argv(classic, { provenance: "false", sbom: "false" }).join(" ")).not.toMatch(/provenance|sbom/);
  });
});
