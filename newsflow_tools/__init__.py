"""Development tools around the pipeline: the local stack launcher, the benchmark, the quality
harnesses and the demo. Workers never import this package (the worker image does not ship it);
`newsflow stack` and `newsflow bench` load it when they are run from a checkout."""
