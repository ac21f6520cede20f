"""Outbound: ready claims batched into interchanges, the 837P written (`x837`, `x837_cob`), sent through the
gateway (`submit`) by the worker's loop (`submission_loop`), under each tenant's submitter (`submitters`)."""
