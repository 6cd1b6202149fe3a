"""Records built from the register: the Art 30 record, the DSPT sharing register, the exit pack and the open data feed."""
