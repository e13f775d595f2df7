// libtorch's random generator is global to the process: tests that train or seed models running side by side would
// draw from it in an unpredictable interleaving and break each other's determinism.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
