/**
 * Where a built image could hold a marker: its configuration and labels (`docker image inspect`),
 * its history (`docker history --no-trunc`), every layer (`docker save`) and the final file system
 * (`docker export` of a container made from it, removed afterwards). Streams are scanned as they
 * come, with an overlap, so a marker split across two chunks is still found.
 */
import { randomBytes } from "node:crypto";
import { execa } from "execa";
import type { Infra } from "../helpers/infra.js";

export interface Found {
  where: string;
  marker: string;
}

async function scanStream(cmd: string, args: string[], markers: [string, string][], where: string): Promise<Found[]> {
  const child = execa(cmd, args, { reject: false, buffer: false, stdin: "ignore" });
  const keep = Math.max(...markers.map(([, v]) => v.length)) - 1;
  const hits = new Set<string>();
  let tail = Buffer.alloc(0);
  for await (const chunk of child.stdout) {
    const hay = Buffer.concat([tail, chunk as Buffer]);
    for (const [what, value] of markers) if (hay.includes(value)) hits.add(what);
    tail = hay.subarray(Math.max(0, hay.length - keep));
  }
  const r = await child;
  if (r.exitCode !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${String(r.stderr)}`);
  return [...hits].map((marker) => ({ where, marker }));
}

async function scanText(cmd: string, args: string[], markers: [string, string][], where: string): Promise<Found[]> {
  const r = await execa(cmd, args, { reject: false });
  if (r.exitCode !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${String(r.stderr)}`);
  const text = String(r.stdout);
  return markers.filter(([, v]) => text.includes(v)).map(([what]) => ({ where, marker: what }));
}

/** Every place in `image` where one of the markers occurs. */
export async function scanImage(infra: Infra, image: string, markers: [string, string][]): Promise<Found[]> {
  const docker = infra.docker;
  const found = [
    ...(await scanText(docker, ["image", "inspect", image], markers, "inspect (config, labels, env)")),
    ...(await scanText(docker, ["history", "--no-trunc", "--format", "{{json .}}", image], markers, "history")),
    ...(await scanStream(docker, ["save", image], markers, "layers (docker save)")),
  ];
  const container = `r2d-itg-hostile-${randomBytes(6).toString("hex")}`;
  const created = await execa(docker, ["create", "--name", container, image], { reject: false });
  if (created.exitCode !== 0) throw new Error(`docker create ${image}: ${String(created.stderr)}`);
  try {
    found.push(...(await scanStream(docker, ["export", container], markers, "file system (docker export)")));
  } finally {
    await execa(docker, ["rm", "--force", container], { reject: false });
  }
  return found;
}
