"""Kafka plumbing: client settings, the CloudEvents envelope, outbox, inbox and the consumer runtime."""
