"""Admin commands beside the build: rollback, keys, tokens, drafting specs, the container image."""
