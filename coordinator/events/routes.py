"""Routes of the events domain."""
