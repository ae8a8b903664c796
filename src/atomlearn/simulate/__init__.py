"""Label generators: data that no package ships, computed by atomlearn itself."""

from atomlearn.simulate.lj import ARGON, LennardJones, lj_dataset

__all__ = ["ARGON", "LennardJones", "lj_dataset"]
