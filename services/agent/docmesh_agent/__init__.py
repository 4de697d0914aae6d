"""docmesh_agent package."""
