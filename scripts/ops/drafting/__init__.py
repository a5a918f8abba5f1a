"""Drafting a dataset spec from a delivered file: column types, what each column holds, a suggested role, the YAML.

`scripts/ops/draft_spec.py` (`make spec`) puts these together; nothing here writes or prints a value of the file.
"""
