"""Command-line front ends, one module per layer; `synthsoc.cli` assembles them."""
