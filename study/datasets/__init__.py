"""Datasets: the known ones by name (known.py), fetching them with a checksum (fetch.py) and the
readers of IDX, .npz and CIFAR-10 files (readers.py); study.data loads a study's dataset."""
