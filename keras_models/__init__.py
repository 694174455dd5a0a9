"""Everything Keras for Kernel Lab: architectures, ByHand kernels, schemes, training. No Qt."""
