"""Build pipeline of the provincial open-data portal: manifest, extract, validate, anonymise, gate, load, publish."""
