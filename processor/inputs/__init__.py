"""The inputs stage: the input folder -> a validated ``Round`` (every problem of every file).

folder      the folder's entries by role; each file read once and hashed
values      a cell -> a number, a date or a text, saying how it was read
names       texts as keys; which names are the same township
sheet       a workbook -> a validated score sheet
tables      a workbook -> case counts / criticism records
roster      a workbook -> the townships expected to return a sheet
crosscheck  checks across the files (duplicates, roster, case counts, criticisms)
round       the folder -> the Round (sheets read in worker processes for a large round)
"""
