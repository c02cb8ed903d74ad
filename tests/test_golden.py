"""Every output of the golden rounds (tests/golden.py) has the bytes recorded in
tests/golden/hashes.json: a change meant to keep behaviour keeps every byte, and a change meant
to alter an output says which files it alters (``python tests/golden.py --update``)."""

import json

import golden
import pytest


def test_every_output_of_the_golden_rounds_is_byte_identical():
    recorded = json.loads(golden.RECORD.read_text(encoding="utf-8"))
    if recorded["versions"] != golden.versions():
        pytest.skip(f"the hashes were recorded with {recorded['versions']}, this is {golden.versions()}")
    found = golden.outputs()
    for name, files in recorded["rounds"].items():
        assert found[name] == files, f"round {name}: outputs differ from tests/golden/hashes.json"
