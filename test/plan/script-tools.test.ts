import { afterEach, describe, expect, it } from "vitest";
import { detectRepo } from "../../src/detect/index.js";
import { makePlan, type PlanOptions } from "../../src/plan/index.js";
import { SCRIPT_TOOLS } from "../../src/plan/common-files.js";
import { renderDockerfile } from "../../src/render/index.js";
import { TempFiles } from "../helpers/repo.js";

const ROOT = { uid: 0, name: "root" };
const temp = new TempFiles();
afterEach(() => temp.cleanup());

async function plan(files: Record<string, string>, options: PlanOptions = {}) {
  return makePlan(await detectRepo(await temp.repo(files, "r2d-tools-")), { invoking: ROOT, ...options });
}

const toolStep = (p: Awaited<ReturnType<typeof plan>>) => p.systemSteps.find((s) => s.title.startsWith("tools the scripts call"));

describe("the tools scripts call", () => {
  it("postBuild calling wget and unzip: one root step installs them when missing, with a notice naming the line", async () => {
    const p = await plan({ "requirements.txt": "x\n", postBuild: "#!/bin/bash\n# wget in a comment\nwget -q https://x/d.zip\nunzip d.zip\nwget -q https://x/e.zip\n" });
    const step = toolStep(p)!;
    expect(step.title).toBe("tools the scripts call, from apt where the base image lacks them: wget, unzip");
    expect(step.user).toBe("root");
    expect(step.commands).toEqual([
      '{ missing=(); command -v wget >/dev/null || missing+=(wget ca-certificates); command -v unzip >/dev/null || missing+=(unzip); if [ ${#missing[@]} -gt 0 ]; then apt-get update -q && apt-get install -y -q --no-install-recommends -- "${missing[@]}"; fi; }',
    ]);
    expect(step.caches?.map((c) => c.target)).toEqual(["/var/cache/apt", "/var/lib/apt/lists"]);
    expect(p.messages).toContainEqual({ level: "info", text: "postBuild:3 calls wget: r2d installs it from apt (wget) when the base image lacks it" });
    expect(p.messages).toContainEqual({ level: "info", text: "postBuild:4 calls unzip: r2d installs it from apt (unzip) when the base image lacks it" });
    expect(p.messages.filter((m) => m.text.includes("calls wget"))).toHaveLength(1);
  });

  it("start and run.sh are scanned too; binder/ paths are named", async () => {
    const p = await plan({ "binder/requirements.txt": "x\n", "binder/start": '#!/bin/bash\ngit -C data pull\nexec "$@"\n', "run.sh": "#!/bin/sh\nmake predict\n" });
    expect(toolStep(p)!.title).toMatch(/: git, make$/);
    expect(p.messages).toContainEqual({ level: "info", text: "binder/start:2 calls git: r2d installs it from apt (git) when the base image lacks it" });
    expect(p.messages).toContainEqual({ level: "info", text: "run.sh:2 calls make: r2d installs it from apt (make) when the base image lacks it" });
  });

  it("no step when the scripts call nothing from the list, or are not shell scripts", async () => {
    expect(toolStep(await plan({ "requirements.txt": "x\n", postBuild: "#!/bin/bash\npython -m nltk.downloader punkt\n" }))).toBeUndefined();
    expect(toolStep(await plan({ "requirements.txt": "x\n", postBuild: "#!/usr/bin/env python3\nimport os\nos.system('wget x')\n" }))).toBeUndefined();
  });

  it("the step runs after apt.txt's and before the user is made; the Dockerfile keeps it in the root RUN", async () => {
    const p = await plan({ "apt.txt": "jq\n", "requirements.txt": "x\n", postBuild: "curl -sO u\n" });
    const dockerfile = renderDockerfile(p);
    const root = dockerfile.slice(dockerfile.indexOf("# As root"), dockerfile.indexOf("COPY r2d/r2d-entrypoint"));
    const order = ["apt-get install -y -q --no-install-recommends -- jq", "command -v curl", "useradd"].map((t) => root.indexOf(t));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it("warns about apt-get and sudo in scripts (they run as the user) and conda in an image without conda", async () => {
    const p = await plan({ "requirements.txt": "x\n", postBuild: "sudo apt-get install -y jq\nconda install -y tqdm\n" });
    expect(p.messages).toContainEqual({ level: "warn", text: "postBuild:1 calls sudo, but scripts run as the image user, without root: list system packages in apt.txt instead" });
    expect(p.messages).toContainEqual({ level: "warn", text: "postBuild:1 calls apt-get, but scripts run as the image user, without root: list system packages in apt.txt instead" });
    expect(p.messages).toContainEqual({ level: "warn", text: "postBuild:2 calls conda, but this image has no conda (only environment.yml gives one): use pip, or add an environment.yml" });
  });

  it("conda in a conda image is r2d's stand-in, said so", async () => {
    const p = await plan({ "environment.yml": "dependencies:\n  - numpy\n", postBuild: "conda clean --all -f -y\nmamba install -y scipy\n" });
    expect(p.messages.filter((m) => m.level === "warn")).toEqual([]);
    expect(p.messages).toContainEqual({ level: "info", text: expect.stringMatching(/^postBuild:1 calls conda: the image has micromamba, and r2d's conda runs it for install, update/) });
    expect(p.helperFiles).toEqual(["conda-shim"]);
  });

  it("every tool maps to Debian packages (the names reach the Dockerfile, so they are plain words)", () => {
    for (const [tool, packages] of Object.entries(SCRIPT_TOOLS)) {
      expect(tool).toMatch(/^[a-z0-9+]+$/);
      for (const p of packages) expect(p).toMatch(/^[a-z0-9][a-z0-9+.-]+$/);
    }
  });
});
