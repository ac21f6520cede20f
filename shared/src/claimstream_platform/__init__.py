"""claimstream's platform library: what every service shares except its domain."""
