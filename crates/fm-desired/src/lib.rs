//! Desired-state engine.
