"""Events out: the outbox `link_events` sequenced, read as a feed, and posted to webhooks."""
