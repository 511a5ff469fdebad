"""The Discourse client: a transport that owns retries, the request budget and 429 waits
(`client.DiscourseAPI`, `ratelimit.TokenBucket`), the endpoint calls above it, and the errors it
raises in the animator's words (`errors`)."""
