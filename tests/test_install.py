"""The product installed like any program, not run from its checkout: the wheel built from this
tree, installed (not editable) into a fresh virtual environment, run from an unrelated folder.
Every command finds its packaged files there, and an installation that lacks one says which, in
Chinese, with exit 2. A bundle that cannot be completed (no package index) is not made at all.

The third-party libraries come from the test environment (a path file in the fresh venv), so
this runs offline; tests/test_bundle.py installs everything from the offline bundle instead."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest
from helpers import ROOT, write_table

from processor import constants as C

EXAMPLE = ROOT / "input"


def bin_dir(env: Path) -> Path:
    return env / ("Scripts" if os.name == "nt" else "bin")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv holding the product's wheel, non-editable; its libraries from ours."""
    work = tmp_path_factory.mktemp("installed")
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(work),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = work.glob("processor-*.whl")
    env = work / "venv"
    venv.create(env, with_pip=False)
    python = bin_dir(env) / "python"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", str(wheel)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # the libraries of the test environment, after the venv's own packages (never our checkout)
    libraries = sysconfig.get_paths()["purelib"]
    (Path(site) / "zz_test_libraries.pth").write_text(libraries + "\n", encoding="utf-8")
    return env


def processor(env: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(bin_dir(env) / "processor"), *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def test_the_installed_package_is_not_the_checkout(installed, tmp_path):
    found = subprocess.run(
        [str(bin_dir(installed) / "python"), "-c", "import processor; print(processor.__file__)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    ).stdout.strip()
    assert Path(found).is_relative_to(installed) and not Path(found).is_relative_to(ROOT)


def test_every_command_works_from_an_unrelated_folder(installed, tmp_path):
    elsewhere = tmp_path / "某县办公室"
    elsewhere.mkdir()
    made = processor(installed, "template", "--output", "模板", cwd=elsewhere)
    assert made.returncode == 0, made.stderr
    for name in (C.SCORE_SHEET_TEMPLATE, C.CASE_COUNTS_TEMPLATE, C.CRITICISMS_TEMPLATE):
        assert (elsewhere / "模板" / name).read_bytes() == (ROOT / "templates" / name).read_bytes()

    roster = write_table(
        elsewhere / "名单.xlsx", C.CASE_COUNTS_TEMPLATE, C.CASE_COUNTS_SHEET, [["东山镇", 1], ["西河镇", 2]]
    )
    issued = processor(installed, "issue", str(roster), "--output", "下发", cwd=elsewhere)
    assert issued.returncode == 0, issued.stderr
    assert sorted(p.name for p in (elsewhere / "下发").glob("*.xlsx")) == [
        "东山镇评分表.xlsx",
        "西河镇评分表.xlsx",
    ]

    shutil.copytree(EXAMPLE, elsewhere / "input")
    checked = processor(installed, "check", cwd=elsewhere)  # the default folder: input
    assert checked.returncode == 0, checked.stdout + checked.stderr
    ran = processor(installed, "run", "--no-pdf", cwd=elsewhere)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    out = elsewhere / "output" / C.RESULTS_DIR
    for name in (C.NOTICE_FILE, C.CONSOLIDATED_FILE, C.VALIDATION_REPORT_FILE):
        assert (out / name).is_file(), name
    assert len(list((out / C.FEEDBACK_DIR).glob("*.html"))) == 12
    help_text = processor(installed, "--help", cwd=elsewhere)
    assert help_text.returncode == 0 and "用法：" in help_text.stdout


def test_an_installation_missing_a_template_names_it_and_exits_2(installed, tmp_path):
    site = subprocess.run(
        [
            str(bin_dir(installed) / "python"),
            "-c",
            "import processor, pathlib; print(pathlib.Path(processor.__file__).parent)",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    ).stdout.strip()
    assert not Path(site).is_relative_to(ROOT)
    template = Path(site) / "templates" / C.NOTICE_TEMPLATE
    saved = template.read_bytes()
    template.unlink()
    try:
        shutil.copytree(EXAMPLE, tmp_path / "input")
        ran = processor(installed, "run", "--no-pdf", cwd=tmp_path)
    finally:
        template.write_bytes(saved)
    assert ran.returncode == 2, ran.stdout + ran.stderr
    assert "processor/templates/report.html.j2" in ran.stderr and "重新安装" in ran.stderr
    assert "Traceback" not in ran.stderr + ran.stdout
    assert not (tmp_path / "output" / C.RESULTS_DIR / C.NOTICE_FILE).exists()


def test_a_bundle_without_a_package_index_is_not_made_and_names_what_is_missing(tmp_path):
    env = {
        **os.environ,
        "PIP_NO_INDEX": "1",
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_FIND_LINKS": "",
        "PIP_EXTRA_INDEX_URL": "",
    }
    built = subprocess.run(
        [sys.executable, "-m", "scripts.bundle", "--dist", str(tmp_path / "dist")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
    )
    assert built.returncode == 1, built.stdout + built.stderr
    assert "未生成离线安装包" in built.stderr and "Traceback" not in built.stderr
    named = ("xlsxwriter", "openpyxl", "pandas", "jinja2")
    assert any(name in built.stderr.lower() for name in named), built.stderr
    assert not list((tmp_path / "dist").glob("processor-*-offline")), "a half bundle was left"
