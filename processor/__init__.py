"""Township convenience service center grading: rubric, score sheet template, batch and notice.

The package is a library first; ``processor.cli`` is a thin command line over it. The data flows
through modules named after its stages:

    rubric, settings      the rules (data files under ``processor/data``)
    template              rubric -> blank score sheet (openpyxl)
    reader                file -> raw workbook (the only module that knows xlsx internals)
    values, names         raw cell -> score / township key
    sheets, tables        raw workbook -> validated score sheet / case counts / criticisms
    collect               input folder -> a validated round (every problem of every file)
    scoring, grading      validated round -> totals -> ranks, grades, downgrades, bonus
    workbook, notice      results -> consolidated.xlsx, notice.html, validation report
    feedback, pdf         results -> feedback/<township>.html; notice.html -> notice.pdf (Chromium)
    publish               atomic writes into the output folder
    batch                 the one call the CLI makes for ``check`` and ``run``
"""

__version__ = "0.1.0"
