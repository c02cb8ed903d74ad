"""Township convenience service center grading: rubric, score sheet template, batch and notice.

The package is a library first; ``processor.cli`` is a thin command line over it and
``processor.batch`` the one call behind each command. The data flows through one package per
stage, each with one input and one output type:

    rules/     the rubric and the county's settings       -> Rubric, Settings
    forms/     Rubric                                     -> blank and issued score sheets
    xlsx/      file bytes (through the gate)              -> Workbook
    inputs/    the input folder                           -> a validated Round (every problem)
    results/   Round                                      -> Results (a record per township)
    outputs/   Round + Results                            -> workbook, notice, feedback, PDF

Beside them: ``problems`` (the catalogue of codes, and the problem record),
``constants`` (every name the user sees in a file), ``resources`` (the packaged files),
``oserrors`` (file-system failures in words for the clerk), ``processes`` (worker processes,
kept apart from the domain) and ``testing`` (filling sheets as an inspector would, for tests
and the example round).
"""

__version__ = "0.1.0"
