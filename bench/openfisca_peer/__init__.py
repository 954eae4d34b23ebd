"""visadesk's baseline rules as an OpenFisca model: the benchmark peer (not shipped)."""
