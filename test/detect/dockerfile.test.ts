import { describe, expect, it } from "vitest";
import { parseRepoDockerfile } from "../../src/detect/dockerfile.js";

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
