"""The results stage: a validated round -> ``Results`` (one ``TownshipResult`` per township).

scoring    item 3.1 from the case counts, subtotals and totals (pandas, exact decimals)
grading    ranks, grades by band, downgrades, bonus, boundary ties
records    the typed records the outputs read
"""
