"""docmesh_session package."""
