"""The design card's layout: workflows/, activities/ and states/ at the repository's top level,
installed inside parcours (pyproject.toml's package-dir) and nowhere else."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]
INSTALLED_AS = {"parcours": "parcours", "workflows": "parcours/workflows", "activities": "parcours/activities",
                "states": "parcours/states", "web": "parcours/web"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    target = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                    "--wheel-dir", str(target), str(REPOSITORY)], check=True, cwd=target)
    (built,) = target.glob("parcours-*.whl")
    return zipfile.ZipFile(built)


def test_the_wheel_holds_only_parcours(wheel):
    tops = {name.split("/")[0] for name in wheel.namelist()}
    assert {top for top in tops if not top.endswith(".dist-info")} == {"parcours"}


def test_the_wheel_holds_every_module_of_the_packaged_folders(wheel):
    """The package list in pyproject.toml is written out (package-dir rules out discovery):
    a new subpackage left out of it would be missing from every install."""
    names = set(wheel.namelist())
    for folder, installed in INSTALLED_AS.items():
        for module in (REPOSITORY / folder).rglob("*.py"):
            if "node_modules" in module.parts:
                continue
            relative = module.relative_to(REPOSITORY / folder).as_posix()
            assert f"{installed}/{relative}" in names, f"{folder}/{relative} is not in the wheel"


def test_the_wheel_holds_the_front_ends_templates_and_assets(wheel):
    """The front end runs from the wheel alone: its templates, script, styles and the DSFR's CSS,
    icons and licence are package data; web/node_modules (npm's, for tests and vendoring) is not."""
    names = set(wheel.namelist())
    web = REPOSITORY / "web"
    for kind in ("templates", "static"):
        for asset in (web / kind).rglob("*"):
            if asset.is_file():
                assert f"parcours/web/{asset.relative_to(web).as_posix()}" in names, f"{asset} is not in the wheel"
    assert not any("node_modules" in name for name in names)


@pytest.mark.parametrize("bare", ["workflows", "activities", "states"])
def test_a_top_level_folder_is_not_importable_under_its_bare_name(bare):
    """From the repository root (on sys.path when `python worker.py` runs there), `import
    workflows` would load a second copy of every class: refused, naming the right import."""
    run = subprocess.run([sys.executable, "-c", f"import {bare}"], cwd=REPOSITORY, capture_output=True, text=True)
    assert run.returncode != 0
    assert f"import parcours.{bare}, not {bare}" in run.stderr


def test_the_runnable_scripts_import_from_the_installed_package():
    run = subprocess.run([sys.executable, "-c",
                          "import runpy; runpy.run_path('worker.py'); runpy.run_path('starter.py');"
                          "import parcours.workflows.activation as a; print(a.__name__)"],
                         cwd=REPOSITORY, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "parcours.workflows.activation"
