"""The provincial open-data portal's code beside its Datasette plugins: build/ (the pipeline, phase by phase),
serve/, ops/ (admin commands), sample/ (the synthetic data) and bench/."""
