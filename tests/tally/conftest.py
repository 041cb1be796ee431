"""Fixtures for the tally engine: where the real Pabulib elections are, and small elections."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def pabulib_dir() -> Path:
    return Path(os.environ.get("PBP_PABULIB_DIR", REPO.parent / "shared" / "pabulib"))


def pabulib_files() -> list[Path]:
    folder = pabulib_dir()
    return sorted(folder.glob("*.pb")) if folder.is_dir() else []


def file_ids(paths: list[Path]) -> list[str]:
    return [p.name for p in paths]


@pytest.fixture(scope="session")
def pabulib_paths() -> list[Path]:
    paths = pabulib_files()
    if not paths:
        pytest.skip(f"no Pabulib files in {pabulib_dir()} (set PBP_PABULIB_DIR)")
    return paths


def pabulib_path(name: str) -> Path:
    path = pabulib_dir() / name
    if not path.is_file():
        pytest.skip(f"{name} not found in {pabulib_dir()} (set PBP_PABULIB_DIR)")
    return path


@pytest.fixture(params=["compiled", "pure"])
def kernel(request) -> Iterator[str]:
    """Run the test on the compiled kernel and on the pure-Python path it ports."""
    from pbplatform.tally import engines as engine

    if request.param == "pure":
        with engine.using("python"):
            yield request.param
        return
    if engine.compiled() is None:
        pytest.skip("the compiled kernel is off (PBP_TALLY_KERNEL=0) or not built here")
    yield request.param
