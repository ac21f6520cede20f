"""Intake: charges become claims. A coded encounter (`encounters`), a correction or a void (`corrections`) becomes a
new claim version through one path (`creation`)."""
