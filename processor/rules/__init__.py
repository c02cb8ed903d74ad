"""The rules stage: the rubric (items, maxima, rates) and the county's settings for a round,
loaded and checked before any sheet is read (``schema``: each settings key declared once, with
its type and range). The packaged defaults are in ``data/``."""
