//! compute.functionmesh.io/v1alpha1 API types.
