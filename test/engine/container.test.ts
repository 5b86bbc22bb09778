/** The pure parts of the grader's container harness: its `docker run` line, `docker diff`, the memory cgroup files. */
import { describe, expect, it } from "vitest";
import { engineOf } from "../../src/engine/adapters/index.js";
import { gradedRunCommand, memoryFiles, parseDiff } from "../../src/engine/container.js";
import type { Engine } from "../../src/engine/types.js";

const engine: Engine = engineOf("docker", { client: "/usr/bin/docker", version: "20.10.24", reason: "test", env: { DOCKER_HOST: "unix:///x.sock" } });

describe("gradedRunCommand", () => {
  it("names the container, never --rm, and caps swap at the memory limit", () => {
    const cmd = gradedRunCommand(
      engine,
      { image: "img:1", command: [], env: ["A=1"], publish: [], volumes: ["/in:/input:ro"], network: "none", memory: "256m", cpus: "1", platform: "linux/amd64", remove: true, interactive: true, tty: true },
      "r2d-grade-x",
    );
    expect(cmd.file).toBe("/usr/bin/docker");
    expect(cmd.env).toEqual({ DOCKER_HOST: "unix:///x.sock" });
    expect(cmd.args).toEqual(["run", "--name", "r2d-grade-x", "--network", "none", "--memory", "256m", "--cpus", "1", "--platform", "linux/amd64", "-e", "A=1", "-v", "/in:/input:ro", "--memory-swap", "256m", "img:1"]);
  });

  it("passes --gpus and --shm-size only when given", () => {
    const base = { image: "i", command: ["/home/crowdai/run.sh"], env: [], publish: [], volumes: [], remove: false, interactive: false, tty: false };
    expect(gradedRunCommand(engine, base, "n").args).toEqual(["run", "--name", "n", "i", "/home/crowdai/run.sh"]);
    expect(gradedRunCommand(engine, { ...base, gpus: "all", shmSize: "0m" }, "n").args).toEqual(["run", "--name", "n", "--shm-size", "0m", "--gpus", "all", "i", "/home/crowdai/run.sh"]);
  });
});

describe("parseDiff and memoryFiles", () => {
  it("parses docker diff lines", () => {
    expect(parseDiff("C /home\nA /home/jovyan/p.csv\nD /tmp/x\n\nnoise\n")).toEqual([
      { kind: "C", path: "/home" },
      { kind: "A", path: "/home/jovyan/p.csv" },
      { kind: "D", path: "/tmp/x" },
    ]);
  });

  it("finds the memory cgroup files of cgroup v1 and v2", () => {
    const v1 = "12:pids:/docker/abc\n4:memory:/docker/abc\n1:name=systemd:/docker/abc\n";
    expect(memoryFiles(v1)).toEqual(["/sys/fs/cgroup/memory/docker/abc/memory.max_usage_in_bytes"]);
    const v2 = "0::/system.slice/docker-abc.scope\n";
    expect(memoryFiles(v2)).toEqual(["/sys/fs/cgroup/system.slice/docker-abc.scope/memory.peak", "/sys/fs/cgroup/system.slice/docker-abc.scope/memory.current"]);
    expect(memoryFiles("")).toEqual([]);
  });
});
