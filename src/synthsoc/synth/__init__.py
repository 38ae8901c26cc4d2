"""Layer 1: the synthetic population (households and persons) fitted to official tables."""

from synthsoc.synth.population import Population, PopulationFolderError, load_population

__all__ = ["Population", "PopulationFolderError", "load_population"]
