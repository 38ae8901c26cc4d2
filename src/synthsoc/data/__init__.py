"""Layer 0: official Korean statistics packaged with synthsoc, and user-supplied KOSIS tables."""
