"""judgments: estimative statements and the scales that read them."""
