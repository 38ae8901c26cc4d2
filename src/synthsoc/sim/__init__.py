"""Layer: sim."""
