"""Data files shipped with atomlearn: element properties (``elements.csv``) and Lennard-Jones parameters
(``uff_lj.csv``, ``dreiding_lj.csv``), with their sources."""
