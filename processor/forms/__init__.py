"""The forms stage: the rubric -> the blank forms the round starts from.

blank        the three templates (``processor template``)
score_sheet  the score sheet: the official table, validation, status line, print set-up
checks       the sheet's own checks as formulas: the batch's rule for a score and its remark
companions   the case-count table and the criticism record
issue        one score sheet per township of a roster, its name filled in and locked
locate       finding a sheet's items, columns and input cells by their labels
"""
