"""The register: the published rounds and what became of their grades in the three years a grade
is valid, kept by the program in one SQLite file the clerk can also read as an exported workbook.

    db         the database: schema versions, migrations, refusals, transactions
    rounds     published rounds (inputs archived by content, results, notice hashes, corrections)
    publicity  a round's 公示 (its period and contact) before the final notice
    decisions  decisions after publication, and each township's standing today
    view       what the register answers: grades on a day, history, expiry, rounds side by side
"""
