"""Writing a workbook (openpyxl) so that the same workbook gives the same bytes: the templates,
the issued sheets and the sheets filled for tests are compared byte for byte."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import tempfile
import zipfile
from pathlib import Path

from openpyxl import Workbook


def reproducible_bytes(wb: Workbook, when: dt.datetime) -> bytes:
    """The saved workbook: openpyxl stamps the current time into docProps/core.xml and into
    every zip member, which would make each rebuild a change; ``when`` stands for both."""
    wb.properties.creator = "processor"
    wb.properties.created = when
    buffer = io.BytesIO()
    wb.save(buffer)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    data,
                )
            zout.writestr(
                zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED
            )
    return out.getvalue()


def save_reproducibly(wb: Workbook, path: Path, when: dt.datetime) -> None:
    """Write ``reproducible_bytes`` to ``path`` through a temporary file beside it (a short
    name of its own: the file's name plus a suffix could pass the 255-byte limit)."""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".xlsx", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(reproducible_bytes(wb, when))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
