"""Fill a score sheet inside LibreOffice, as an inspector would, recalculate, and print what the
sheet's own formulas say. Run with Debian's /usr/bin/python3 (python3-uno), not the venv:

    /usr/bin/python3 tests/uno_fill.py SHEET.xlsx '{"G5": 4, "G6": "两分"}' CHECK_COLUMN_INDEX STATUS_CELL

Prints JSON: {"status": <text of the status cell>, "checks": {row: value of the check column}}.
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


def main(path, values, check_col, status_cell):
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
        hidden = PropertyValue()
        hidden.Name, hidden.Value = "Hidden", True
        doc = desktop.loadComponentFromURL(
            uno.systemPathToFileUrl(os.path.abspath(path)), "_blank", 0, (hidden,)
        )
        sheet = doc.Sheets.getByName("评分表")
        for ref, value in values.items():
            cell = sheet.getCellRangeByName(ref)
            if value is None:
                cell.setString("")
            elif isinstance(value, str):
                cell.setString(value)
            else:
                cell.setValue(value)
        doc.calculateAll()
        checks = {}
        for row in range(1, 200):
            cell = sheet.getCellByPosition(check_col - 1, row - 1)
            if cell.getFormula().startswith("="):
                checks[row] = cell.getValue()
        result = {"status": sheet.getCellRangeByName(status_cell).getString(), "checks": checks}
        doc.close(True)
        with contextlib.suppress(Exception):  # the bridge closes as the office quits
            desktop.terminate()
        print(json.dumps(result, ensure_ascii=False))
    finally:
        try:
            office.wait(timeout=20)
        except subprocess.TimeoutExpired:
            office.kill()


if __name__ == "__main__":
    main(sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
