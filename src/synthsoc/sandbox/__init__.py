"""Layer: sandbox. Test assistants and recommenders against the synthetic population."""
