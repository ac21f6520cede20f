"""The local stack: a real Kafka broker and PostgreSQL server started natively, and the services.

For development, tests and the demo only; production runs the operator-managed Kafka and PostgreSQL
described in deploy/k8s.
"""
