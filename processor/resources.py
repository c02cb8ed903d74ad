"""The files the program ships with (the packaged rubric and settings, the HTML templates), found
with ``importlib.resources`` wherever the package is installed: in a checkout (editable), in a
virtual environment, from a wheel on the clerk's Windows PC. Never by a path relative to the
source tree."""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable

RULES = "processor.rules"  # its data/ folder: the packaged rubric and settings
TEMPLATES = "processor.templates"  # the top-level templates/ folder, packaged (pyproject.toml)


class MissingResource(Exception):
    """A file the installation should hold is not there; the message names it for the clerk."""

    def __init__(self, package: str, name: str):
        self.resource = f"{package.replace('.', '/')}/{name}"
        super().__init__(
            f"程序安装不完整：缺少 {self.resource}。请重新安装本程序"
            "（Windows：py -m pip install --force-reinstall 安装包中的 processor-*.whl；"
            "或运行安装包中的 install.bat / install.sh）"
        )


def packaged(package: str, name: str) -> Traversable:
    """The packaged file ``name`` of ``package``; MissingResource if the installation lacks it."""
    try:
        found = resources.files(package).joinpath(*name.split("/"))
    except (ModuleNotFoundError, TypeError) as exc:
        raise MissingResource(package, name) from exc
    if not found.is_file():
        raise MissingResource(package, name)
    return found


def rules_file(name: str) -> Traversable:
    return packaged(RULES, f"data/{name}")


def template_file(name: str) -> Traversable:
    return packaged(TEMPLATES, name)


# What every command needs from the installation, checked before any work is done.
REQUIRED = (
    (RULES, "data/rubric-2022.toml"),
    (RULES, "data/settings.toml"),
    (TEMPLATES, "document.html.j2"),
    (TEMPLATES, "document.css.j2"),
    (TEMPLATES, "report.html.j2"),
    (TEMPLATES, "feedback.html.j2"),
)


def verify() -> None:
    """MissingResource for the first packaged file the installation lacks."""
    for package, name in REQUIRED:
        packaged(package, name)
