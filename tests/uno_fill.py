"""Fill score sheets inside LibreOffice, as an inspector would, recalculate, and print what the
sheets' own formulas say; optionally save each filled sheet as LibreOffice writes it. Run with
Debian's /usr/bin/python3 (python3-uno), not the venv:

    /usr/bin/python3 tests/uno_fill.py JOBS.json

JOBS.json is a list of jobs, all done in one LibreOffice: {"path": SHEET.xlsx, "values": {"G5": 4,
"G6": "两分", "G7": {"formula": "=0.1+0.2"}, "G8": null}, "check_col": 9, "status": "H3",
"save_as": OUT.xlsx or null}. A number is entered as a number, a string as text (as a cell
formatted as text, or a paste, keeps it), {"formula": ...} as a formula, null clears the cell.

Prints JSON, a list with one {"status": <text of the status cell>, "checks": {row: value of the
check column}} per job.
"""

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time

import uno
from com.sun.star.beans import PropertyValue


def _property(name, value):
    prop = PropertyValue()
    prop.Name, prop.Value = name, value
    return prop


def fill(desktop, job):
    doc = desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(os.path.abspath(job["path"])), "_blank", 0, (_property("Hidden", True),)
    )
    try:
        sheet = doc.Sheets.getByName("评分表")
        for ref, value in job["values"].items():
            cell = sheet.getCellRangeByName(ref)
            if value is None:
                cell.setFormula("")
            elif isinstance(value, dict):
                cell.setFormula(value["formula"])
            elif isinstance(value, str):
                cell.setString(value)
            else:
                cell.setValue(value)
        doc.calculateAll()
        checks = {}
        for row in range(1, 200):
            cell = sheet.getCellByPosition(job["check_col"] - 1, row - 1)
            if cell.getFormula().startswith("="):
                checks[row] = cell.getValue()
        if job.get("save_as"):
            doc.storeToURL(
                uno.systemPathToFileUrl(os.path.abspath(job["save_as"])),
                (_property("FilterName", "Calc MS Excel 2007 XML"),),
            )
        return {"status": sheet.getCellRangeByName(job["status"]).getString(), "checks": checks}
    finally:
        doc.close(True)


def main(jobs):
    profile = tempfile.mkdtemp(prefix="uno-profile-")
    pipe = f"processor-test-{os.getpid()}"
    office = subprocess.Popen(
        [
            "soffice",
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            f"-env:UserInstallation=file://{profile}",
            f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        for _ in range(120):
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:
                time.sleep(0.5)
        else:
            raise SystemExit("LibreOffice did not start")
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        results = [fill(desktop, job) for job in jobs]
        with contextlib.suppress(Exception):  # the bridge closes as the office quits
            desktop.terminate()
        print(json.dumps(results, ensure_ascii=False))
    finally:
        try:
            office.wait(timeout=20)
        except subprocess.TimeoutExpired:
            office.kill()


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as handle:
        main(json.load(handle))
