"""entities: people, places and organisations, resolved through the gazetteer."""
