"""The claim as claim submission knows it, pure: its content (`content`), its states and legal moves (`states`),
and the `Claim` aggregate that moves through them recording its history and events (`claim`)."""
