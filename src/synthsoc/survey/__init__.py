"""Layer: survey."""
