"""judgments: estimative statements and the scales that read them."""

BUILTIN = ("kent", "icd203", "phia", "survey")
"""The scales shipped with declass (`declass.stages.judgments.scales`), whose ranges the store keeps for
every judgment: named here so that a question asking whether a scale is one of them (``declass judgments``)
need not load the scales' module."""
