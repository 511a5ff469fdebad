"""The forum's structure and membership, driven through the Discourse client: categories and
groups (`provision`), the roster (`members`), the transformers group and badge (`recognition`),
the Discourse side of the monthly pulse (`pulse`), relay suggestions (`relay`), the input files
that describe the network (`inputs`, `interventions`) and the forum check (`doctor`)."""
