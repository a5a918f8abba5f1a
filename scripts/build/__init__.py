"""`make build`: the pipeline, phase by phase (spec → read → anonymise → gate → publish); pipeline.py runs them."""
