"""Inbound: what comes back. 999s and 277CAs read (`acknowledgments`), stored and applied (`documents`), the
acknowledgment clock (`watch`), and the payer's 835 as remittance posting reports it (`payments`, with the next
payer's claim in `coordination`)."""
