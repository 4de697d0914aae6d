"""The gRPC adapters behind the agent's ports: the only agent code that knows the session
and document services' messages."""
