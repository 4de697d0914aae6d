"""docmesh_gateway package."""
