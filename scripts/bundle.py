"""The offline bundle (``make dist``, or ``python -m scripts.bundle`` in a checkout): everything a
clerk's PC needs to install the product with no internet, copied onto a USB stick or an intranet
share.

    dist/processor-<version>-offline/
        wheels/             the product's wheel and every dependency's wheels, for Windows x64
                            and Linux x86_64, for each supported Python
        install.bat         Windows: installs from wheels/ alone (pip --no-index --find-links)
        install.sh          Linux: the same, into a virtual environment of its own
        评定汇总.bat         the clerk's one command: runs the batch on the input folder beside it
        安装说明.txt         the steps, in Chinese

The bundle is made in a temporary folder and moved into dist/ only when it is complete: a wheel
that cannot be had (no network, no wheel for a platform) stops the build with the requirement
named, and no half bundle is left. Completeness is checked by our own walk over every wheel's
requirements with the markers of each target (pip evaluates markers such as
``sys_platform == "win32"`` for the machine it runs on, not for the ``--platform`` it is given).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from email.parser import Parser
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import canonicalize_name, parse_wheel_filename

ROOT = Path(__file__).resolve().parent.parent
PYTHONS = ("3.11", "3.12", "3.13", "3.14")  # the Pythons the product supports (pyproject: >=3.11)
RECOMMENDED_PYTHON = "3.13"  # what the README tells a clerk to install


@dataclass(frozen=True)
class Target:
    """A platform and Python the bundle installs on."""

    system: str  # "windows" or "linux"
    python: str  # "3.12"

    @property
    def pip_platforms(self) -> tuple[str, ...]:
        if self.system == "windows":
            return ("win_amd64",)
        # glibc 2.28 (RHEL 8, Debian 10) and later; pip takes --platform literally, so every
        # manylinux level up to it is named
        return (*(f"manylinux_2_{m}_x86_64" for m in range(28, 16, -1)), "manylinux2014_x86_64")

    @property
    def abi(self) -> str:
        return "cp" + self.python.replace(".", "")

    def tags(self) -> set[Tag]:
        """The wheel tags this target installs."""
        version = tuple(int(part) for part in self.python.split("."))
        platforms = list(self.pip_platforms)
        return {
            *cpython_tags(version, abis=[self.abi], platforms=platforms),
            *compatible_tags(version, interpreter=self.abi, platforms=platforms),
        }

    def markers(self) -> dict[str, str]:
        env = default_environment()
        env.update(
            python_version=self.python,
            python_full_version=f"{self.python}.0",
            implementation_name="cpython",
            platform_python_implementation="CPython",
            platform_machine="AMD64" if self.system == "windows" else "x86_64",
        )
        if self.system == "windows":
            env.update(sys_platform="win32", platform_system="Windows", os_name="nt")
        else:
            env.update(sys_platform="linux", platform_system="Linux", os_name="posix")
        return env


TARGETS = tuple(Target(system, python) for system in ("windows", "linux") for python in PYTHONS)


class BundleError(Exception):
    """The bundle cannot be made complete; the message names what is missing."""


def wheel_requirements(wheel: Path) -> list[Requirement]:
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = Parser().parsestr(zf.read(name).decode("utf-8"))
    return [Requirement(text) for text in metadata.get_all("Requires-Dist") or []]


def missing(wheels: list[Path], root: str, target: Target) -> list[Requirement]:
    """The requirements (from ``root`` down, markers as on ``target``) that no wheel in
    ``wheels`` satisfies for ``target``; [] when the bundle installs there."""
    tags = target.tags()
    by_name: dict[str, list[tuple[object, Path]]] = {}
    for wheel in wheels:
        name, version, _, wheel_tags = parse_wheel_filename(wheel.name)
        if wheel_tags & tags:
            by_name.setdefault(canonicalize_name(name), []).append((version, wheel))
    env = target.markers()
    lacking, seen, todo = [], set(), [Requirement(root)]
    while todo:
        requirement = todo.pop()
        if requirement.marker is not None and not requirement.marker.evaluate({**env, "extra": ""}):
            continue
        key = (canonicalize_name(requirement.name), str(requirement.specifier))
        if key in seen:
            continue
        seen.add(key)
        fitting = [
            wheel
            for version, wheel in by_name.get(key[0], [])
            if requirement.specifier.contains(version, prereleases=True)
        ]
        if not fitting:
            lacking.append(requirement)
            continue
        todo += wheel_requirements(max(fitting, key=lambda w: parse_wheel_filename(w.name)[1]))
    return lacking


def _pip_download(requirements: list[str], target: Target, into: Path, deps: bool) -> None:
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--quiet",
        "--disable-pip-version-check",
        "--only-binary=:all:",
        "--python-version",
        target.python,
        "--implementation",
        "cp",
        "--abi",
        target.abi,
        *(f"--platform={p}" for p in target.pip_platforms),
        "--dest",
        str(into),
        *([] if deps else ["--no-deps"]),
        *requirements,
    ]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        why = [line for line in result.stderr.splitlines() if "ERROR" in line] or result.stderr.splitlines()[
            -3:
        ]
        raise BundleError(
            f"无法为 {target.system} / Python {target.python} 下载 {'、'.join(requirements)}："
            + " ".join(why)[:600]
            + "\n请在能访问软件包索引（PyPI 或内网镜像）的电脑上运行 make dist。"
        )


def build_wheel(into: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(into),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = into.glob("processor-*.whl")
    return wheel


def collect_wheels(product: Path, into: Path, targets=TARGETS) -> None:
    """Every wheel the product needs on every target, downloaded into ``into``; BundleError
    naming the requirement when one cannot be had."""
    shutil.copy2(product, into / product.name)
    root = f"processor=={parse_wheel_filename(product.name)[1]}"
    for target in targets:
        _pip_download([str(into / product.name)], target, into, deps=True)
        for _ in range(10):  # requirements pip skipped by evaluating markers for this machine
            lacking = missing(sorted(into.glob("*.whl")), root, target)
            if not lacking:
                break
            _pip_download([str(r.name) + str(r.specifier) for r in lacking], target, into, deps=True)
        else:
            raise BundleError(
                f"{target.system} / Python {target.python} 缺少：{'、'.join(map(str, lacking))}"
            )


def launcher_text() -> str:
    """评定汇总.bat: the clerk double-clicks it in the folder that holds ``input``; it runs the
    batch on ``input`` into ``output`` beside it and keeps the window open with the result. The
    options are the CLI's own (tests/test_install.py parses them with the CLI's parser)."""
    return "\r\n".join(
        [
            "@echo off",
            "chcp 936 >nul",
            "setlocal",
            'cd /d "%~dp0"',
            "echo 乡镇便民服务中心标准化等级评定：校验并汇总 input 文件夹中的评分表 ...",
            "echo.",
            "set PROCESSOR=py -m processor",
            "where py >nul 2>nul || set PROCESSOR=python -m processor",
            f"%PROCESSOR% {' '.join(LAUNCHER_ARGS)}",
            "set CODE=%ERRORLEVEL%",
            "echo.",
            'if "%CODE%"=="0" (',
            "  echo 完成：结果在 output 文件夹中（notice.pdf 或 notice.html 为结果通报，consolidated.xlsx 为汇总表）。",
            '  start "" "%~dp0output"',
            ') else if "%CODE%"=="1" (',
            "  echo 评分表有错误，未发布结果：请打开 output\\validation_report.xlsx，按问题清单改正后再运行。",
            ') else if "%CODE%"=="9009" (',
            f"  echo 未找到 Python 或本程序：请先安装 Python {RECOMMENDED_PYTHON}，再运行安装包中的 install.bat。",
            ") else (",
            "  echo 运行未完成（退出码 %CODE%），请看上面的说明。",
            ")",
            "echo.",
            "pause",
            "exit /b %CODE%",
            "",
        ]
    )


LAUNCHER_ARGS = ("run", "--input", '"%~dp0input"', "--output", '"%~dp0output"')


def install_bat() -> str:
    return "\r\n".join(
        [
            "@echo off",
            "chcp 936 >nul",
            "setlocal",
            'cd /d "%~dp0"',
            "set PY=py",
            "where py >nul 2>nul || set PY=python",
            "echo 正在从本安装包安装（不需要联网）...",
            '%PY% -m pip install --no-index --find-links "%~dp0wheels" --upgrade processor',
            "if errorlevel 1 (",
            f"  echo 安装失败：请确认已安装 64 位 Python {PYTHONS[0]} 至 {PYTHONS[-1]}（建议 {RECOMMENDED_PYTHON}），安装时勾选“Add python.exe to PATH”。",
            "  pause",
            "  exit /b 1",
            ")",
            "%PY% -m processor --version",
            "echo 安装完成。把“评定汇总.bat”复制到放评分表的 input 文件夹旁边，双击即可运行。",
            "pause",
            "",
        ]
    )


def install_sh() -> str:
    return "\n".join(
        [
            "#!/bin/sh",
            "# Installs the product from this bundle alone (no network) into its own virtual environment.",
            "set -eu",
            'here=$(cd "$(dirname "$0")" && pwd)',
            'prefix=${PREFIX:-"$HOME/.local/share/processor"}',
            "python=${PYTHON:-python3}",
            '"$python" -m venv "$prefix"',
            '"$prefix/bin/python" -m pip install --quiet --disable-pip-version-check --no-index --find-links "$here/wheels" processor',
            'echo "已安装：$("$prefix/bin/processor" --version)"',
            'echo "运行：$prefix/bin/processor run --input 输入文件夹 --output 输出文件夹"',
            "",
        ]
    )


def instructions() -> str:
    return "\r\n".join(
        [
            "乡镇便民服务中心标准化等级评定 离线安装包",
            "",
            f"1. 安装 Python（64 位，{PYTHONS[0]} 至 {PYTHONS[-1]}，建议 {RECOMMENDED_PYTHON}），安装时勾选“Add python.exe to PATH”。",
            "2. 双击 install.bat（不需要联网）。",
            "3. 把“评定汇总.bat”复制到放评分表的文件夹旁边：该文件夹中应有 input 文件夹（评分表、case_counts.xlsx、criticisms.xlsx）。",
            "4. 双击“评定汇总.bat”：结果写入旁边的 output 文件夹；有错误时打开 output\\validation_report.xlsx 查看问题清单。",
            "",
            "也可在命令提示符中运行：py -m processor run --input input --output output",
            "",
        ]
    )


def build(dist: Path, targets=TARGETS) -> Path:
    """Make the bundle in ``dist``; the bundle folder appears only when complete."""
    version = _version()
    name = f"processor-{version}-offline"
    dist.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".bundle-", dir=dist) as work:
        stage = Path(work) / name
        wheels = stage / "wheels"
        wheels.mkdir(parents=True)
        product = build_wheel(Path(work))
        collect_wheels(product, wheels, targets)
        (stage / "install.bat").write_bytes(install_bat().encode("gbk"))
        (stage / "install.sh").write_text(install_sh(), encoding="utf-8", newline="\n")
        (stage / "install.sh").chmod(0o755)
        (stage / "评定汇总.bat").write_bytes(launcher_text().encode("gbk"))
        (stage / "安装说明.txt").write_bytes(instructions().encode("utf-8-sig"))
        final = dist / name
        if final.exists():
            shutil.rmtree(final)
        os.replace(stage, final)
        shutil.copy2(product, dist / product.name)
    return final


def _version() -> str:
    sys.path.insert(0, str(ROOT))
    from processor import __version__

    return __version__


def size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.bundle", description="生成离线安装包（dist/）")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="写入的文件夹（默认 dist）")
    args = parser.parse_args(argv)
    try:
        folder = build(args.dist)
    except BundleError as exc:
        print(f"未生成离线安装包：{exc}", file=sys.stderr)
        return 1
    print(f"已生成 {folder}（{size(folder) / 2**20:.0f} MB）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
