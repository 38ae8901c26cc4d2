"""Layer: evaluate."""
