"""Logic shared by the portal's page plugins; a package, so Datasette does not load it as a plugin itself."""
