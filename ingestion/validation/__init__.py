"""pandera schemas of the raw tables, staging and marts."""
