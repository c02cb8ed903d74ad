"""The register: the published rounds and what became of their grades in the three years a grade
is valid, kept by the program in one SQLite file the clerk can also read as an exported workbook.

    db         the database: schema versions, migrations, refusals, transactions
    rounds     published rounds (inputs archived by content, results, notice hashes, corrections)
    decisions  decisions after publication, and each township's standing today
"""
