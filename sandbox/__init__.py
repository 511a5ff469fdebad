"""A local Discourse API emulator with a synthetic CAE network, for the demo, tests and benchmarks.

- `sandbox.network.generate(seed, size)` builds the network (forum state + the two CSV inputs);
- `sandbox.server.SandboxServer(network)` serves it over HTTP like Discourse (auth, paging, error
  bodies, the admin rate limit, seeded faults) with `/_sandbox/` control endpoints;
- `python -m sandbox` / `campus sandbox` runs it from the command line.
It imports nothing from the other Campus packages, and they never import it.
"""
