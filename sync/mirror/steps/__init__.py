"""The steps of one sync (`sync.mirror.pull` runs them in order): each walks its part of the
Discourse API and writes what it reads through the store (`sync.mirror.store`)."""
