"""Developer tools: the local launcher of `make run` and the preflight of `make test`. Not shipped."""
