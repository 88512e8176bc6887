"""Packaging helpers: deterministic zips, pruning, requirement names, Lambda's size limits."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest

from nexus_infra.package import (
    MB,
    Artifact,
    check,
    compile_tree,
    dist_name,
    find_bytecode_python,
    prune,
    zip_tree,
)


def _tree(root: Path) -> Path:
    (root / "pkg" / "tests").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("VALUE = 1\n")
    (root / "pkg" / "tests" / "test_x.py").write_text("def test(): pass\n")
    (root / "pkg" / "api.pyi").write_text("VALUE: int\n")
    (root / "pkg" / "libarrow_flight.so.2600").write_bytes(b"\0" * 10)
    (root / "pkg" / "lib.so").write_bytes(b"\x7fELF")
    return root


def test_zip_is_deterministic_and_counts_unzipped_bytes(tmp_path: Path) -> None:
    # Given the same tree zipped twice
    tree = _tree(tmp_path / "tree")
    first = zip_tree(tree, tmp_path / "a" / "lambda" / "x.zip")
    second = zip_tree(tree, tmp_path / "b" / "lambda" / "x.zip")
    # Then the archives are byte-identical and the unzipped size is the sum of the files
    assert first.path.read_bytes() == second.path.read_bytes()
    assert first.unzipped == sum(p.stat().st_size for p in tree.rglob("*") if p.is_file())
    assert first.kind == "function"
    # And shared objects stay executable
    with zipfile.ZipFile(first.path) as archive:
        assert (archive.getinfo("pkg/lib.so").external_attr >> 16) & 0o111


def test_prune_drops_tests_stubs_and_flight(tmp_path: Path) -> None:
    tree = _tree(tmp_path / "tree")
    prune(tree)
    left = sorted(str(p.relative_to(tree)) for p in tree.rglob("*") if p.is_file())
    assert left == ["pkg/__init__.py", "pkg/lib.so"]


def test_requirement_lines_name_their_distribution() -> None:
    assert dist_name("aws-lambda-powertools==3.37.0") == "aws-lambda-powertools"
    assert dist_name("numpy==2.5.5 ; python_full_version >= '3.12'") == "numpy"
    assert dist_name("Typing_Extensions==4.16.0") == "typing-extensions"


def test_limits_count_layers_against_every_function(tmp_path: Path) -> None:
    # Given a 150 MB layer and two functions, one of which pushes the total past 250 MB
    layer = Artifact("pyarrow", "layer", tmp_path / "l.zip", 45 * MB, 150 * MB)
    small = Artifact("collector", "function", tmp_path / "c.zip", 5 * MB, 20 * MB)
    big = Artifact("reporter", "function", tmp_path / "r.zip", 30 * MB, 120 * MB)
    huge_zip = Artifact("api", "function", tmp_path / "a.zip", 51 * MB, 60 * MB)
    # Then only the over-limit ones are reported
    problems = check([layer, small, big, huge_zip])
    assert len(problems) == 2
    assert problems[0].startswith("api: zipped")
    assert problems[1].startswith("reporter: unzipped 270.0 MB")


def test_bytecode_is_compiled_in_place_with_unchecked_hashes(tmp_path: Path) -> None:
    # Given a pruned tree, compiled with an interpreter (this one stands in for Python 3.12)
    tree = _tree(tmp_path / "tree")
    prune(tree)
    compile_tree(tree, sys.executable, "/var/task")
    # Then each module has its .pyc beside it, and the .pyc never asks for the source's stat
    tag = sys.implementation.cache_tag
    pyc = tree / "pkg" / "__pycache__" / f"__init__.{tag}.pyc"
    flags = int.from_bytes(pyc.read_bytes()[4:8], "little")
    assert flags == 0b01  # hash-based, unchecked
    # And the path recorded in it is where Lambda will run it, not where it was built
    assert b"/var/task/pkg/__init__.py" in pyc.read_bytes()
    assert str(tmp_path).encode() not in pyc.read_bytes()


def test_only_lambda_s_python_version_compiles(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given no NEXUS_PACKAGE_PYTHON and no python3.12 on PATH
    monkeypatch.delenv("NEXUS_PACKAGE_PYTHON", raising=False)
    monkeypatch.setenv("PATH", "")
    # Then this interpreter is taken only if it is Python 3.12, and nothing is found otherwise
    found = find_bytecode_python(sys.executable)
    assert (found == sys.executable) == (sys.version_info[:2] == (3, 12))
    assert find_bytecode_python(None) is None
