"""claimstream identity: who may sign in, the tokens it signs, the revocation list and the access log."""
