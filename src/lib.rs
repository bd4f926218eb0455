//! fmc: the mesh language compiler.
