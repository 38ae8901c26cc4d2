"""Layer: persona."""
