"""The outputs stage: results -> the files the clerk, the leading group and the townships read.

workbook    结果/consolidated.xlsx (summary, charts, items, deductions, cases, criticisms)
details     the per-item rows, and the CSV of a round too large for a workbook
report      validation_report.xlsx, and the problem list and manifest sheets
book        the xlsxwriter set-up every workbook shares: formats, widths, row heights
printing    how a sheet prints: the scale, the page breaks across, the repeated columns
notice      notice.html (通报, GB/T 9704 layout) from templates/report.html.j2
feedback    feedback/<乡镇>.html, one page per township
html        the jinja2 environment (packaged templates, filters, compiled-template cache)
wording     dates, numbers, criticisms and downgrades as people read them
pdf         notice.html -> notice.pdf with the machine's Chromium, Chrome or Edge, the 版记 on
            an even page
filenames   safe file names for names that come from input
publish     the staging folder, the checks before anything is replaced, the lock
journal     the recorded switch that publishes a complete result, and its recovery after a kill
"""
