"""docmesh_document package."""
