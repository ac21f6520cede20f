"""Scrubbing: what a payer would reject or deny, found before the claim leaves (`scrub`, the payer rules as data
in `payer_rules`, rules learned from denials), and the holds other services' answers put on claims (eligibility,
prior authorization); a held claim's release."""
