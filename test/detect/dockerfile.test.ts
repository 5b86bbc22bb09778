import { describe, expect, it } from "vitest";
import { isRootUser, parseRepoDockerfile } from "../../src/detect/dockerfile.js";
import { makePlan } from "../../src/plan/index.js";

describe("parseRepoDockerfile", () => {
  it("a simple Dockerfile", () => {
    const text = "FROM python:3.11-slim\nRUN pip install numpy\n";
    expect(parseRepoDockerfile(text)).toEqual({ from: ["python:3.11-slim"], legacyBinderBase: false, finalUser: null, text });
  });

  it("FROM --platform=… names the image, not the flag", () => {
    expect(parseRepoDockerfile("FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n").from).toEqual(["golang:1.22"]);
    expect(parseRepoDockerfile("FROM --platform=linux/amd64 ubuntu:24.04\n").from).toEqual(["ubuntu:24.04"]);
  });

  it("multi-stage builds list every FROM in order; stage names kept as written", () => {
    const text = "# syntax=docker/dockerfile:1\nFROM node:20 AS web\nRUN npm ci\n\nfrom python:3.12 as app\nCOPY --from=web /out /srv\nFROM app\n";
    expect(parseRepoDockerfile(text).from).toEqual(["node:20", "python:3.12", "app"]);
  });

  it("CRLF, indentation and a FROM split by a continuation line", () => {
    expect(parseRepoDockerfile("ARG BASE=ubuntu\r\n  FROM \\\r\n    ${BASE}:22.04\r\nRUN true\r\n").from).toEqual(["${BASE}:22.04"]);
  });

  it("comments are not FROM lines", () => {
    expect(parseRepoDockerfile("# FROM andrewosh/binder-base\nFROM jupyter/base-notebook\n")).toMatchObject({ from: ["jupyter/base-notebook"], legacyBinderBase: false });
  });

  it("the legacy binder base is recognised, with or without a tag", () => {
    expect(parseRepoDockerfile("FROM andrewosh/binder-base\n").legacyBinderBase).toBe(true);
    expect(parseRepoDockerfile("FROM andrewosh/binder-base:latest\nUSER main\n").legacyBinderBase).toBe(true);
    expect(parseRepoDockerfile("FROM andrewosh/binder-python-3.5\n").legacyBinderBase).toBe(false);
  });

  it("no FROM at all → empty list, text kept unchanged", () => {
    const text = "RUN echo hi\r\n";
    expect(parseRepoDockerfile(text)).toEqual({ from: [], legacyBinderBase: false, finalUser: null, text });
  });
});

describe("parseRepoDockerfile: the final stage's user", () => {
  it.each([
    ["FROM x\nUSER root\n", { user: "root", line: 2 }],
    ["FROM x\nUSER 1000\nRUN id\nUSER 0:0\n", { user: "0:0", line: 4 }],
    ["FROM x AS build\nUSER root\nFROM y\nRUN true\n", null],
    ["FROM x AS build\nUSER app\nFROM y\nuser root\n", { user: "root", line: 4 }],
    ["FROM x\nUSER \\\n  root\n", { user: "root", line: 2 }],
    ["# escape=`\nFROM x\nUSER `\n  ${NB_USER}\n", { user: "${NB_USER}", line: 3 }],
    ["FROM x\n# USER root\nRUN echo USER root\n", null],
  ])("%j → %j", (text, finalUser) => {
    expect(parseRepoDockerfile(text).finalUser).toEqual(finalUser);
  });

  it.each([["root", true], ["0", true], ["0:0", true], ["root:root", true], ["1000", false], ["${NB_USER}", false], ["rooted", false], ["00", false]])("isRootUser(%s) = %s", (user, root) => {
    expect(isRootUser(user)).toBe(root);
  });
});

describe("the Dockerfile buildpack warns when the image runs as root", () => {
  const plan = (text: string) => makePlan({ root: "/r", configDir: "", files: { dockerfile: { path: "Dockerfile", data: parseRepoDockerfile(text) } }, ignored: [], suspicious: [], credentials: [] }, { invoking: { uid: 0, name: "root" } });

  it("USER root at the end → a warning naming the line", () => {
    const warn = plan("FROM python:3.12\nRUN pip install x\nUSER root\nCMD [\"python\"]\n").messages.filter((m) => m.level === "warn");
    expect(warn).toEqual([{ level: "warn", text: expect.stringMatching(/^Dockerfile:3 sets USER root in the final stage: the image will run as root\. End the Dockerfile with USER \$\{NB_USER\}/) }]);
  });

  it("an unprivileged final user, or a root user only in an earlier stage → no warning", () => {
    expect(plan("FROM a AS b\nUSER root\nFROM c\nUSER ${NB_USER}\n").messages.filter((m) => /image will run as root/.test(m.text))).toEqual([]);
    expect(plan("FROM a AS b\nUSER 0\nFROM c\n").messages.filter((m) => /image will run as root/.test(m.text))).toEqual([]);
  });
});
