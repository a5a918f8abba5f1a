"""The portal on several Datasette replicas behind nginx: serve-cluster, rolling releases, bench-cluster."""
