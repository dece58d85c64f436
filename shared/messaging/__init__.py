"""Messaging plumbing, written once: topology, envelopes, publishing, consuming, RPC and the outbox."""
