"""Disclosure control, as pure functions on pandas objects.

generalise  coarser quasi-identifiers (birth year, age bands, month, quarter, larger areas)
pseudonym   keyed HMAC pseudonyms and the key they need
kanon       k-anonymity and l-diversity for record tables
cube        count cubes with every margin
suppress    primary and secondary cell suppression of a cube
exposure    the fast, sound test the suppression loop runs after each change
propagate   bounds an attacker derives line by line
audit       the attacker's exact LP ranges of every suppressed cell
"""
