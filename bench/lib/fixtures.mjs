// The repositories the benchmark builds and plans. Everything lives under the work directory
// (in /tmp by default), never in the r2d repository.
import { randomFillSync } from "node:crypto";
import {
  closeSync,
  cpSync,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { log, must } from "./util.mjs";

const BENCH_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const DOCKERFILES = path.join(BENCH_DIR, "dockerfiles");

/** A small research project: a package, a training script, run.sh, requirements.txt. */
const CODE = {
  "requirements.txt": "r2d-greet==1.0.0\n",
  "run.sh": "#!/bin/bash\nset -euo pipefail\nexec python3 main.py \"$@\"\n",
  "README.md": "# sentiment-bench\n\nTrains a tiny model on `data/`. Run `bash run.sh`.\n",
  ".gitignore": "data/\ndatasets/\ncheckpoints/\n__pycache__/\n",
  "main.py": [
    "import sys",
    "",
    "from r2d_greet import greet",
    "",
    "from project.train import train",
    "",
    "STEP = 0",
    "",
    "",
    "if __name__ == \"__main__\":",
    "    print(greet(\"benchmark\"), STEP)",
    "    train(sys.argv[1:])",
    "",
  ].join("\n"),
  "project/__init__.py": "",
  "project/train.py": [
    "import os",
    "",
    "from .model import Model",
    "from .dataset import load",
    "",
    "",
    "def train(args):",
    "    data_dir = os.environ.get(\"DATA_DIR\", \"data\")",
    "    model = Model()",
    "    for batch in load(data_dir):",
    "        model.step(batch)",
    "    print(\"trained on\", model.seen, \"bytes\")",
    "",
  ].join("\n"),
  "project/model.py": [
    "class Model:",
    "    def __init__(self):",
    "        self.seen = 0",
    "",
    "    def step(self, batch):",
    "        self.seen += len(batch)",
    "",
  ].join("\n"),
  "project/dataset.py": [
    "import os",
    "",
    "",
    "def load(data_dir, chunk=1 << 20):",
    "    if not os.path.isdir(data_dir):",
    "        return",
    "    for name in sorted(os.listdir(data_dir)):",
    "        with open(os.path.join(data_dir, name), \"rb\") as f:",
    "            while True:",
    "                b = f.read(chunk)",
    "                if not b:",
    "                    break",
    "                yield b",
    "",
  ].join("\n"),
  "tests/test_model.py": "from project.model import Model\n\n\ndef test_step():\n    m = Model()\n    m.step(b\"abc\")\n    assert m.seen == 3\n",
  "notebooks/explore.ipynb": JSON.stringify({ cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 }, null, 1) + "\n",
};

export function writeCode(dir) {
  for (const [rel, content] of Object.entries(CODE)) {
    const f = path.join(dir, rel);
    mkdirSync(path.dirname(f), { recursive: true });
    writeFileSync(f, content, { mode: rel.endsWith(".sh") ? 0o755 : 0o644 });
  }
}

/** The one-line code change of the rebuild scenario. */
export function changeOneLine(dir, n) {
  const f = path.join(dir, "main.py");
  const text = readFileSync(f, "utf8").replace(/^STEP = \d+$/m, `STEP = ${n}`);
  writeFileSync(f, text);
}

/** `count` files of `size` random bytes in dir (written once; reused while the stamp matches). */
export function ensureRandomData(dir, count, size) {
  const stamp = path.join(dir, ".complete");
  const want = `${count}x${size}`;
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === want) return;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  log(`writing ${count} × ${size / 2 ** 20} MiB of random data into ${dir}`);
  const buf = Buffer.allocUnsafe(Math.min(size, 8 * 2 ** 20));
  for (let i = 0; i < count; i++) {
    const fd = openSync(path.join(dir, `shard-${String(i).padStart(2, "0")}.bin`), "w");
    for (let off = 0; off < size; off += buf.length) {
      randomFillSync(buf);
      writeSync(fd, buf, 0, Math.min(buf.length, size - off));
    }
    closeSync(fd);
  }
  writeFileSync(stamp, want);
}

function gitInit(dir) {
  const env = {
    GIT_AUTHOR_NAME: "bench",
    GIT_AUTHOR_EMAIL: "bench@localhost",
    GIT_COMMITTER_NAME: "bench",
    GIT_COMMITTER_EMAIL: "bench@localhost",
    GIT_CONFIG_NOSYSTEM: "1",
    HOME: dir, // no user config
  };
  return (async () => {
    await must("git", ["init", "-q", "-b", "main", dir], { env });
    await must("git", ["-C", dir, "add", "-A"], { env });
    await must("git", ["-C", dir, "commit", "-q", "-m", "initial"], { env });
  })();
}

/**
 * One copy of the data-heavy repository per variant: same code, a .git with the code committed,
 * data/ hard-linked to the same random files (no extra disk). The hand-written variants carry
 * their Dockerfile (and, for the expert, .dockerignore); r2d's copy has neither.
 */
export async function makeVariantRepos(work, dataSrc) {
  const repos = {};
  for (const v of ["course", "expert", "r2d"]) {
    const dir = path.join(work, "repos", v);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeCode(dir);
    if (v === "course") cpSync(path.join(DOCKERFILES, "course.Dockerfile"), path.join(dir, "Dockerfile"));
    if (v === "expert") {
      cpSync(path.join(DOCKERFILES, "expert.Dockerfile"), path.join(dir, "Dockerfile"));
      cpSync(path.join(DOCKERFILES, "expert.dockerignore"), path.join(dir, ".dockerignore"));
    }
    await gitInit(dir);
    mkdirSync(path.join(dir, "data"));
    for (const name of readdirSync(dataSrc)) {
      if (name.startsWith(".")) continue;
      linkSync(path.join(dataSrc, name), path.join(dir, "data", name));
    }
    repos[v] = dir;
  }
  return repos;
}

/** Sum of the sizes of the regular files under dir. */
export function duBytes(dir) {
  let total = 0;
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop();
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile()) total += statSync(p).size;
    }
  }
  return total;
}

/**
 * A repository for the planning benchmark: the same code plus `files` small files, half under
 * data/ (left out by r2d's default), a quarter under datasets/ (left out by the repository's own
 * .dockerignore) and a quarter under checkpoints/ (left out with --exclude checkpoints).
 * 1000 files per directory. Reused while its stamp matches.
 */
export function ensureBigRepo(dir, files) {
  const stamp = path.join(dir, ".bench-complete");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === String(files)) return;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeCode(dir);
  writeFileSync(path.join(dir, ".dockerignore"), "datasets\n**/__pycache__\n");
  if (files > 0) log(`writing ${files.toLocaleString("en")} small files into ${dir}`);
  const t0 = performance.now();
  const split = [
    ["data", Math.floor(files / 2)],
    ["datasets", Math.floor(files / 4)],
    ["checkpoints", files - Math.floor(files / 2) - Math.floor(files / 4)],
  ];
  const body = "0123456789abcdef0123456789abcdef\n";
  for (const [top, n] of split) {
    for (let i = 0; i < n; i++) {
      if (i % 1000 === 0) mkdirSync(path.join(dir, top, `part-${String(i / 1000).padStart(4, "0")}`), { recursive: true });
      writeFileSync(path.join(dir, top, `part-${String(Math.floor(i / 1000)).padStart(4, "0")}`, `f-${String(i).padStart(7, "0")}.txt`), body);
    }
  }
  if (files > 0) log(`  ${files.toLocaleString("en")} files in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  writeFileSync(stamp, String(files));
}
