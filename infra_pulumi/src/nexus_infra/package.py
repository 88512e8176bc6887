"""Build the Lambda artifacts: one zip per workspace member, two shared layers.

`python -m nexus_infra.package [--out build]` (what `make package` runs). Each function zip holds
the member's own code, its workspace dependencies and its third-party requirements from the lock
file, minus what the layers (Powertools, pyarrow/numpy) and the Lambda runtime (boto3) provide.
Wheels are fetched for Lambda's platform (arm64, Python 3.12, manylinux 2.28). Prints every
artifact's zipped and unzipped size; exits 1 when one passes Lambda's limits.

Bytecode: Lambda's code directory is read-only, so a zip without `.pyc` files makes every cold start
compile every module it imports. When a Python 3.12 interpreter is available (`--python`,
`NEXUS_PACKAGE_PYTHON`, `python3.12` on PATH, or pyenv's 3.12) each tree is compiled with it
(`compileall`, unchecked-hash: the runtime never stats the sources) before it is zipped; without
one the artifacts ship sources only, and the report says so.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

from nexus_contracts.topology import TOPOLOGY
from nexus_infra.layers import LAYERS, LOCAL_ONLY, RUNTIME_PROVIDED

MB = 1024 * 1024
ZIPPED_LIMIT = 50 * MB  # direct upload
UNZIPPED_LIMIT = 250 * MB  # function plus all its layers
PLATFORM = ("--python-platform", "aarch64-manylinux_2_28", "--python-version", "3.12")
# Never needed at run time inside Lambda: tests, headers, type stubs, build files, Flight RPC.
PRUNE_DIRS = {"__pycache__", "tests", "test", "include", "benchmarks"}
PRUNE_SUFFIXES = (".pyc", ".pyi", ".pxd", ".pyx", ".h", ".hpp", ".cc")
PRUNE_NAMES = re.compile(r"(libarrow_flight|_flight|libarrow_substrait|_substrait)[.\w-]*\.so[.\d]*$")
_NAME = re.compile(r"^([A-Za-z0-9_.-]+)")


@dataclass(frozen=True)
class Artifact:
    name: str
    kind: str  # "function" | "layer"
    path: Path
    zipped: int
    unzipped: int


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def uv(*args: str) -> str:
    # `uv run` exports UV (its own binary); otherwise PATH, then the virtualenv's bin.
    uv_bin = os.environ.get("UV") or shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    return subprocess.run([uv_bin, *args], check=True, capture_output=True, text=True).stdout


def requirements(package: str | None) -> tuple[list[str], list[str]]:
    """(third-party requirement lines, workspace member paths) of one member, or of all."""
    scope = ["--package", package] if package else ["--all-packages"]
    text = uv("export", *scope, "--frozen", "--no-dev", "--no-hashes", "--no-header", "--no-annotate")
    third_party, members = [], []
    for line in (x.strip() for x in text.splitlines()):
        if line.startswith("-e "):
            members.append(line[3:].strip())
        elif line and not line.startswith("#"):
            third_party.append(line)
    return third_party, members


def dist_name(line: str) -> str:
    match = _NAME.match(line)
    return normalise(match.group(1)) if match else ""


LAMBDA_PYTHON = (3, 12)


def _pyenv_python() -> str | None:
    """pyenv's Python 3.12, when pyenv is installed and has one."""
    if not shutil.which("pyenv"):
        return None
    version = ".".join(map(str, LAMBDA_PYTHON))
    found = subprocess.run(
        ["pyenv", "which", f"python{version}"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYENV_VERSION": version},
    )
    return found.stdout.strip() or None if found.returncode == 0 else None


def find_bytecode_python(explicit: str | None = None) -> str | None:
    """An interpreter of Lambda's Python version to compile bytecode with, or None: `explicit`,
    then NEXUS_PACKAGE_PYTHON, python3.12 on PATH, pyenv's 3.12."""
    candidates = (explicit, os.environ.get("NEXUS_PACKAGE_PYTHON"), shutil.which("python3.12"))
    for candidate in (*candidates, _pyenv_python()):
        if not candidate:
            continue
        probe = subprocess.run(
            [candidate, "-c", "import sys; print(*sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0 and tuple(map(int, probe.stdout.split())) == LAMBDA_PYTHON:
            return candidate
    return None


COMPILE = ("-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash")


def compile_tree(tree: Path, python: str, deployed_at: str) -> None:
    """Bytecode for every module under `tree`, recording the paths it will have once deployed
    (`/var/task` for a function, `/opt/python` for a layer), as tracebacks show them."""
    subprocess.run([python, *COMPILE, "-s", str(tree), "-p", deployed_at, str(tree)], check=True)


def install(lines: list[str], target: Path) -> None:
    if not lines:
        return
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as req:
        req.write("\n".join(lines) + "\n")
    uv(
        "pip",
        "install",
        "--quiet",
        "--target",
        str(target),
        *PLATFORM,
        "--only-binary",
        ":all:",
        "--no-deps",
        "-r",
        req.name,
    )
    Path(req.name).unlink()
    shutil.rmtree(target / "bin", ignore_errors=True)


def copy_member(root: Path, member: str, target: Path) -> None:
    """Copy a workspace member's packages (its hatch `packages`) into the artifact."""
    project = tomllib.loads((root / member / "pyproject.toml").read_text(encoding="utf-8"))
    wheel = project.get("tool", {}).get("hatch", {}).get("build", {}).get("targets", {}).get("wheel", {})
    for package in wheel.get("packages", []):
        source = root / member / package
        shutil.copytree(source, target / Path(package).name, dirs_exist_ok=True)


def prune(tree: Path) -> None:
    for path in sorted(tree.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_dir() and path.name in PRUNE_DIRS:
            shutil.rmtree(path, ignore_errors=True)
        elif path.is_file() and (path.suffix in PRUNE_SUFFIXES or PRUNE_NAMES.search(path.name)):
            path.unlink()


def zip_tree(tree: Path, dest: Path) -> Artifact:
    """A deterministic zip (sorted entries, fixed timestamps) of everything under `tree`."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    unzipped = 0
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for path in sorted(p for p in tree.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(str(path.relative_to(tree)), date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = (0o755 if path.suffix == ".so" or ".so." in path.name else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            data = path.read_bytes()
            unzipped += len(data)
            archive.writestr(info, data)
    kind = "layer" if dest.parent.name == "layers" else "function"
    return Artifact(dest.stem, kind, dest, dest.stat().st_size, unzipped)


def build_layers(out: Path, work: Path, python: str | None = None) -> list[Artifact]:
    pinned, _ = requirements(None)
    artifacts = []
    for layer, names in LAYERS.items():
        wanted = {normalise(n) for n in names}
        tree = work / f"layer-{layer}" / "python"
        install([line for line in pinned if dist_name(line) in wanted], tree)
        prune(tree)
        if python:
            compile_tree(tree, python, "/opt/python")
        artifacts.append(zip_tree(tree.parent, out / "layers" / f"{layer}.zip"))
    return artifacts


def drop_bytecode(tree: Path) -> None:
    for cache in sorted(tree.rglob("__pycache__"), key=lambda p: len(p.parts), reverse=True):
        shutil.rmtree(cache, ignore_errors=True)


def build_function(
    root: Path, member_dir: str, out: Path, work: Path, python: str | None = None, room: int = UNZIPPED_LIMIT
) -> Artifact:
    """One function's zip. Bytecode is kept only while the function still fits in `room` (Lambda's
    unzipped limit less its layers); a function it would push past the limit ships sources."""
    project = tomllib.loads((root / member_dir / "pyproject.toml").read_text(encoding="utf-8"))
    lines, members = requirements(project["project"]["name"])
    layered = {normalise(n) for names in LAYERS.values() for n in names}
    excluded = layered | {normalise(n) for n in (*RUNTIME_PROVIDED, *LOCAL_ONLY)}
    tree = work / Path(member_dir).name
    install([line for line in lines if dist_name(line) not in excluded], tree)
    for member in members:
        copy_member(root, member.removeprefix("./"), tree)
    prune(tree)
    dest = out / "lambda" / f"{Path(member_dir).name}.zip"
    if python:
        compile_tree(tree, python, "/var/task")
        artifact = zip_tree(tree, dest)
        if artifact.unzipped <= room:
            return artifact
        print(f"{artifact.name}: without bytecode, which would take it past Lambda's unzipped limit")
        drop_bytecode(tree)
    return zip_tree(tree, dest)


def check(artifacts: list[Artifact]) -> list[str]:
    """Lambda's limits: each zip ≤ 50 MB; each function unzipped plus every layer ≤ 250 MB."""
    layers = sum(a.unzipped for a in artifacts if a.kind == "layer")
    problems = [
        f"{a.name}: zipped {a.zipped / MB:.1f} MB > 50 MB" for a in artifacts if a.zipped > ZIPPED_LIMIT
    ]
    problems += [
        f"{a.name}: unzipped {(a.unzipped + layers) / MB:.1f} MB with layers > 250 MB"
        for a in artifacts
        if a.kind == "function" and a.unzipped + layers > UNZIPPED_LIMIT
    ]
    return problems


def report(artifacts: list[Artifact]) -> None:
    layers = sum(a.unzipped for a in artifacts if a.kind == "layer")
    print(f"{'artifact':<28}{'kind':<10}{'zipped MB':>10}{'unzipped MB':>13}{'with layers':>13}")
    for a in artifacts:
        total = a.unzipped + (layers if a.kind == "function" else 0)
        print(f"{a.name:<28}{a.kind:<10}{a.zipped / MB:>10.1f}{a.unzipped / MB:>13.1f}{total / MB:>13.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nexus-package", description=__doc__)
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="repository root")
    parser.add_argument("--out", type=Path, default=Path("build"))
    parser.add_argument("--only", action="append", help="member folder(s) to build, e.g. services/validator")
    parser.add_argument(
        "--python", help="a Python 3.12 to compile bytecode with (default: python3.12 on PATH)"
    )
    args = parser.parse_args(argv)
    python = find_bytecode_python(args.python)
    if python:
        print(f"bytecode: compiled with {python} (Python {'.'.join(map(str, LAMBDA_PYTHON))})")
    else:
        print("bytecode: none (no Python 3.12 found); cold starts compile the imported modules")
    root, out = args.root.resolve(), args.out.resolve()
    packages = sorted({f.package for f in TOPOLOGY.functions})
    if args.only:
        packages = [p for p in packages if p in args.only]
    with tempfile.TemporaryDirectory(prefix="nexus-package-") as tmp:
        work = Path(tmp)
        artifacts = build_layers(out, work, python)
        for member in packages:
            if not (root / member / "pyproject.toml").exists():
                print(f"skip {member}: not in the workspace yet")
                continue
            room = UNZIPPED_LIMIT - sum(a.unzipped for a in artifacts if a.kind == "layer")
            artifacts.append(build_function(root, member, out, work, python, room))
    report(artifacts)
    dockerfile = root / "services" / "analyzer" / "Dockerfile"
    if dockerfile.exists():
        print(f"analyzer: container image, docker build -f {dockerfile.relative_to(root)} .")
    problems = check(artifacts)
    for problem in problems:
        print(f"LIMIT EXCEEDED {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
