/**
 * Shared pieces of the grader integration tests: build a fixture repository from
 * test/grader/repos/ with the local test infrastructure, grade the image, and check that
 * nothing (containers, temp folders, images) is left behind.
 */
import { randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { expect } from "vitest";
import { buildRepo, type BuildRepoOptions, type BuildRepoResult } from "../../src/build-repo.js";
import { probeEngine, type Engine } from "../../src/engine/index.js";
import { gradeImage, type GradeCheck, type GradeResult, type GraderOptions } from "../../src/grader/index.js";
import { REPO_ROOT, type Infra } from "../helpers/infra.js";

export const FIXTURES = path.join(REPO_ROOT, "test", "grader", "repos");

export function fixture(name: string): string {
  return path.join(FIXTURES, name);
}

export class GraderScope {
  private readonly images = new Set<string>();
  private engine?: Engine;

  constructor(private readonly infra: () => Infra) {}

  async getEngine(): Promise<Engine> {
    this.engine ??= await probeEngine({ docker: this.infra().docker });
    return this.engine;
  }

  fixturePath(name: string): string {
    return fixture(name);
  }

  /** A unique image name, removed in dispose(). */
  imageName(name: string): string {
    const imageName = `r2d-itg/grade-${name}:${randomBytes(4).toString("hex")}`;
    this.images.add(imageName);
    return imageName;
  }

  /** Builds test/grader/repos/<name> on the test base image; the image is removed in dispose(). */
  async build(name: string, options: BuildRepoOptions = {}): Promise<BuildRepoResult> {
    const infra = this.infra();
    const imageName = this.imageName(name);
    return buildRepo(fixture(name), {
      baseImage: infra.basePython,
      buildNetwork: "host",
      pipIndexUrl: infra.pipIndex,
      docker: infra.docker,
      run: false,
      imageName,
      ...options,
    });
  }

  /** Grades a built fixture and checks that the container and the temp folder are gone afterwards (also when it throws). */
  async grade(built: BuildRepoResult, name: string, options: GraderOptions): Promise<GradeResult> {
    const engine = await this.getEngine();
    const before = gradeTmpDirs();
    const names: string[] = [];
    const onMessage: GraderOptions["onMessage"] = (level, text) => {
      names.push(...containerNames(text));
      options.onMessage?.(level, text);
    };
    try {
      return await gradeImage(engine, built.imageName, built.plan, fixture(name), { ...options, onMessage });
    } finally {
      // Whatever happened (a failed check, an error, an abort): no container, no temp folder.
      // Only this grade's own are looked at: another suite may be grading on the same engine.
      expect(await existingContainers(this.infra().docker, names)).toEqual([]);
      expect(gradeTmpDirs().filter((d) => !before.includes(d))).toEqual([]);
    }
  }

  async dispose(): Promise<void> {
    if (this.images.size) await execa(this.infra().docker, ["rmi", "-f", ...this.images], { reject: false });
  }
}

/** The named check, failing the test with the report when it is missing. */
export function check(result: GradeResult, name: string): GradeCheck {
  const c = result.checks.find((x) => x.name === name);
  if (!c) throw new Error(`no check ${name} in ${JSON.stringify(result.checks, null, 2)}`);
  return c;
}

/** Names of the checks that failed. */
export function failed(result: GradeResult): string[] {
  return result.checks.filter((c) => !c.passed).map((c) => c.name);
}

/** Grader container names in a debug message or CLI output (`docker run --name r2d-grade-...`). */
export function containerNames(text: string): string[] {
  return [...text.matchAll(/--name (r2d-grade-[0-9a-f]+)/g)].map((m) => m[1]!);
}

/** Which of these containers still exist. */
export async function existingContainers(docker: string, names: string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const r = await execa(docker, ["ps", "-a", "--format", "{{.Names}}"]);
  const all = new Set(String(r.stdout).split("\n"));
  return names.filter((n) => all.has(n));
}

/** This process's grader temp folders (tmp-promise puts the pid in the name). */
function gradeTmpDirs(): string[] {
  return readdirSync(os.tmpdir()).filter((d) => d.startsWith(`r2d-grade--${process.pid}-`));
}
