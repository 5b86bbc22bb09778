/**
 * ensurepip's pip (and setuptools, on Python ≤ 3.11) put into a virtual environment without running
 * ensurepip (issue 13): ensurepip starts pip in a subprocess to install its own bundled wheels
 * (several seconds, and ~7 MB of compiled files); wheels are zip files, so unpacking them into
 * site-packages and writing the `pip` scripts gives the same environment: the same versions,
 * `*.dist-info` with RECORD (so `pip install -U pip` replaces them), owned by whoever runs it.
 * Anything unexpected exits non-zero and the caller runs `python -m ensurepip` as before.
 */
import { shellCommand } from "../shell.js";

/** The program's lines, run by the environment's own Python (sys.prefix is the environment). */
function unpackProgram(names: readonly string[]): string[] {
  return [
    "import glob, os, sys, sysconfig, zipfile, ensurepip as e",
    "assert sys.prefix != sys.base_prefix, 'not a virtual environment'",
    `want = (${names.map((n) => `'${n}-'`).join(", ")},)`,
    "here = os.path.dirname(e.__file__)",
    // Python ≥ 3.10 (and Debian's patched ≤ 3.9) say where the wheels are; else the _bundled folder.
    "if hasattr(e, '_get_packages'): wheels = [p.wheel_path or os.path.join(here, '_bundled', p.wheel_name) for p in e._get_packages().values()]",
    "else: wheels = [sorted(glob.glob(f'{here}/_bundled/{n}-*.whl') or glob.glob(f'/usr/share/python-wheels/{n}-*.whl'))[-1] for n in ('pip', 'setuptools')]",
    "wheels = [w for w in wheels if os.path.basename(w).startswith(want)]",
    // Python ≥ 3.12 bundles no setuptools: nothing to do when only setuptools is wanted.
    "assert wheels or want == ('setuptools-',), 'no bundled pip'",
    "paths = sysconfig.get_paths()",
    "for w in wheels:",
    "    z = zipfile.ZipFile(w)",
    // A .data folder (scripts, headers) needs pip's installer; odd paths are refused.
    "    assert not [n for n in z.namelist() if n.startswith('/') or '..' in n.split('/') or n.split('/')[0].endswith('.data')], w",
    "    z.extractall(paths['purelib'])",
    "for d in glob.glob(os.path.join(paths['purelib'], '*.dist-info')): open(os.path.join(d, 'INSTALLER'), 'w').write('pip\\n')",
    // setuptools' .pth imports _distutils_hack at every Python start: compiled now, or the first
    // run would write its __pycache__ into the image's environment.
    "hack = os.path.join(paths['purelib'], '_distutils_hack')",
    "if os.path.isdir(hack): import compileall; assert compileall.compile_dir(hack, quiet=1)",
    "body = f'#!{sys.executable}\\nimport sys\\nfrom pip._internal.cli.main import main\\nif __name__ == \"__main__\":\\n    sys.exit(main())\\n'",
    "for name in (('pip', 'pip3', 'pip%d.%d' % sys.version_info[:2]) if 'pip-' in want else ()):",
    "    script = os.path.join(paths['scripts'], name)",
    "    open(script, 'w').write(body)",
    "    os.chmod(script, 0o755)",
  ];
}

/**
 * A command that unpacks ensurepip's wheels (pip and setuptools; or setuptools only, beside a
 * linked pip) into the environment at `dir` and, should that fail, clears what it left and runs
 * ensurepip. The program's lines reach Python through printf, each one a quoted word: the
 * Dockerfile line stays one line.
 */
export function ensurepipCommand(dir: string, only?: "setuptools"): string {
  const python = `${dir}/bin/python`;
  const program = unpackProgram(only ? [only] : ["pip", "setuptools"]);
  const unpack = `${shellCommand([python, "-I", "-c"])} "$(${shellCommand(["printf", "%s\\n", ...program])})"`;
  const clear = `rm -rf ${shellCommand([`${dir}/bin/pip`])}* ${shellCommand([`${dir}/lib`])}/python3*/site-packages/*`;
  return `{ ${unpack} || { echo 'r2d: could not unpack the wheels of ensurepip: running ensurepip' >&2; ${clear}; ${shellCommand([python, "-m", "ensurepip", "--default-pip"])}; }; }`;
}
