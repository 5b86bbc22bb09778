/** A repository with its own Dockerfile: built as is, with repo2docker's NB_USER / NB_UID build args. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRepo, type BuildRepoResult } from "../../src/index.js";
import { loadInfra, type Infra } from "../helpers/infra.js";
import { buildOptions, runImage, Scope } from "./helpers.js";

let infra: Infra;
const scope = new Scope(() => infra);
beforeAll(async () => {
  infra = await loadInfra();
});
afterAll(() => scope.dispose());

describe("Dockerfile repository", () => {
  let image: string;
  let result: BuildRepoResult;

  beforeAll(async () => {
    const repo = await scope.repo({
      Dockerfile: [
        `FROM ${infra.baseDebian}`,
        "ARG NB_USER",
        "ARG NB_UID",
        "COPY hello.txt /opt/app/hello.txt",
        'RUN echo "nb_user=${NB_USER} nb_uid=${NB_UID}" > /opt/app/nb-args.txt',
        'CMD ["cat", "/opt/app/hello.txt", "/opt/app/nb-args.txt"]',
        "",
      ].join("\n"),
      "hello.txt": "hello from the repository's Dockerfile\n",
      "requirements.txt": "this-is-not-read\n",
    });
    image = scope.image("dockerfile");
    const { baseImage: _unused, ...opts } = buildOptions(infra);
    result = await buildRepo(repo, { ...opts, imageName: image, userId: 1234, userName: "dfuser", run: true });
  });

  it("builds the repository's Dockerfile and runs its CMD", () => {
    expect(result.plan.buildpack).toBe("dockerfile");
    expect(result.run?.exitCode).toBe(0);
    expect(result.run?.stdout).toBe("hello from the repository's Dockerfile\nnb_user=dfuser nb_uid=1234\n");
  });

  it("the image runs again with docker run", async () => {
    const r = await runImage(infra, image, []);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain("nb_user=dfuser nb_uid=1234");
  });
});
