"""docmesh_common package."""
