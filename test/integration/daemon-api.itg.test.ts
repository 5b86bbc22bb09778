/**
 * The docker engine's builds sent to the Docker daemon's API by r2d itself (daemon-build.ts): the
 * context by BuildKit's file sync in r2d's session, the pip index as a secret through it, the
 * progress from the daemon's own messages. A rebuild after a code change sends the change; the
 * docker client still builds where registry logins are configured or R2D_DOCKER_API=0.
 */
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRepo, type R2dEvent } from "../../src/index.js";
import { loadInfra, type Infra } from "../helpers/infra.js";
import { buildOptions, Scope, sh, step } from "./helpers.js";

let infra: Infra;
const scope = new Scope(() => infra);
beforeAll(async () => {
  infra = await loadInfra();
});
afterAll(() => scope.dispose());

const debugLines = (events: R2dEvent[]): string[] => events.flatMap((e) => (e.type === "message" && e.level === "debug" ? [e.text] : []));
const builtBy = (events: R2dEvent[]): "daemon API" | "client" | undefined => {
  const lines = debugLines(events);
  if (lines.some((l) => l.startsWith("build: POST /build on "))) return "daemon API";
  if (lines.some((l) => /^build: .*docker.* build /.test(l))) return "client";
  return undefined;
};

async function build(repo: string, name: string): Promise<{ events: R2dEvent[]; steps: { name: string; status: string }[] }> {
  const events: R2dEvent[] = [];
  const result = await buildRepo(repo, buildOptions(infra, { imageName: name, onEvent: (e) => events.push(e) }));
  return { events, steps: result.build?.steps ?? [] };
}

async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe("builds through the daemon's API", () => {
  it("builds with the context by file sync and the index secret; a code change is sent and rebuilt, the rest stays cached", async () => {
    const repo = await scope.repo({
      "requirements.txt": `${infra.pyPkg}==${infra.pyPkgVersion}\n`,
      "main.py": "STEP = 1\n",
      "run.sh": "#!/bin/sh\npython main.py\n",
      "pkg/deep/data.txt": "kept\n",
    });
    await mkdir(path.join(repo, "data"));
    await writeFile(path.join(repo, "data", "big.csv"), "left out\n");
    const image = scope.image("daemon-api");
    const first = await build(repo, image);
    expect(builtBy(first.events)).toBe("daemon API");
    expect(await sh(infra, image, `cat main.py pkg/deep/data.txt; test -x run.sh && echo exec; test -e data/big.csv || echo "no data"; python -c 'import ${infra.pyPkgModule}; print("imported")'`)).toBe(
      "STEP = 1\nkept\nexec\nno data\nimported",
    );

    // Unique content: BuildKit's cache is by content, so an earlier run's identical COPY would be reused.
    const change = `STEP = 2  # ${randomBytes(6).toString("hex")}`;
    await writeFile(path.join(repo, "main.py"), `${change}\n`);
    const second = await build(repo, image);
    expect(builtBy(second.events)).toBe("daemon API");
    expect(await sh(infra, image, "cat main.py")).toBe(change);
    expect(step(second.steps, "pip install").status).toBe("cached");
    expect(step(second.steps, "COPY --chown=1000:1000 [src/,").status).toBe("done");
  }, 600_000);

  it("leaves the build to the docker client where its config holds a registry login, and with R2D_DOCKER_API=0", async () => {
    const repo = await scope.repo({ "main.py": "print('client')\n" });
    const config = await scope.tmp("r2d-itg-docker-config-");
    await writeFile(path.join(config, "config.json"), JSON.stringify({ auths: { "registry.invalid": { auth: Buffer.from("u:p").toString("base64") } } }));
    const withLogin = await withEnv({ DOCKER_CONFIG: config }, () => build(repo, scope.image("daemon-api-login")));
    expect(builtBy(withLogin.events)).toBe("client");
    const image = scope.image("daemon-api-off");
    const switchedOff = await withEnv({ R2D_DOCKER_API: "0" }, () => build(repo, image));
    expect(builtBy(switchedOff.events)).toBe("client");
    expect(await sh(infra, image, "cat main.py")).toBe("print('client')");
  }, 600_000);
});
