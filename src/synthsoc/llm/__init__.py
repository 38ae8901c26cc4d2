"""Layer: llm."""
