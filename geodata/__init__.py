"""Geography: boundaries, offline postcode lookup, the synthetic district. A leaf package."""
