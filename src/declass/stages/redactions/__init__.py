"""redactions: withheld text, exemption markers and editorial omissions."""
