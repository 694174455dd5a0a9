"""The plain-data vocabulary every layer shares: events, the network catalogue, the ByHand
kernels and the backend names.

It imports nothing else of Kernel Lab, no Keras and no Qt, so `keras_models`, `study` and `gui`
can all read it without pulling each other in (the import contract test checks this).
"""
