"""A study's conv1 kernel bank from its SPEC, `learned:` included (the conv1 a network of a
finished study learned), and a StudyConfig carrying both the spec and the resolved kernels."""

from __future__ import annotations

import numpy as np

from study.config import StudyConfig
from study.protocol import banks
from study.protocol.byhand import KernelError
from study.protocol.status import StudyStatus

DEFAULT_LEARNED_NETWORK = banks.DEFAULT_LEARNED_NETWORK


def learned_kernels(folder, network: str | None = None, seed: int | None = None):
    """(conv1 kernels (N, k, k), bias (N,)) a network of the finished study `folder` ended with."""
    from study.folder.csvio import StoreError
    from study.state import StudyState

    network = network or DEFAULT_LEARNED_NETWORK
    try:
        state = StudyState.from_folder(folder)
    except (StoreError, OSError, ValueError) as exc:
        raise KernelError(f"kernel bank learned: {folder} is not a readable study ({exc})"
                          ) from None
    status = str(state.status.get("state", ""))
    if status != StudyStatus.FINISHED.value:
        raise KernelError(f"kernel bank learned: study {folder} is {status or 'unfinished'}; "
                          "its kernels are taken from a finished study only")
    if network not in state.config.networks:
        raise KernelError(f"kernel bank learned: study {folder} has no {network}; it has "
                          f"{', '.join(state.config.networks)}")
    seeds = state.config.seed_list
    seed = seeds[0] if seed is None else seed
    if seed not in seeds:
        raise KernelError(f"kernel bank learned: study {folder} has no seed {seed}; its seeds "
                          f"are {', '.join(map(str, seeds))}")
    try:
        weights = state.stored_weights(network, "final", seed)
    except StoreError as exc:
        raise KernelError(f"kernel bank learned: {exc}") from None
    if not weights or "conv1/kernel" not in weights:
        raise KernelError(f"kernel bank learned: study {folder} kept no final weights of "
                          f"{network} (seed {seed})")
    kernel = np.asarray(weights["conv1/kernel"], dtype=np.float32)
    # A colour study's conv1 (k, k, C, N) as the grey kernels it amounts to: the channel sum.
    kernels = np.transpose(kernel.sum(axis=2, dtype=np.float32), (2, 0, 1)).copy()
    return banks.validate(kernels), np.asarray(weights["conv1/bias"], dtype=np.float32).copy()


def resolve_bank(spec, seed: int = 0):
    """(canonical spec, kernels (N, k, k), conv1 bias or None) of any SPEC."""
    parsed = banks.parse_spec(spec)
    if parsed.name != "learned":
        text, kernels = banks.resolve(spec, seed)
        return text, kernels, None
    folder, network, learned_seed = parsed.path
    kernels, bias = learned_kernels(folder, network, learned_seed)
    network = network or DEFAULT_LEARNED_NETWORK
    config_seed = learned_seed
    if config_seed is None:
        from study.state import StudyState

        config_seed = StudyState.from_folder(folder).config.seed_list[0]
    return f"learned:{folder}:{network}:{config_seed}", kernels, bias


def with_bank(config: StudyConfig, spec) -> StudyConfig:
    """`config` using the bank `spec`: the report's default stays as before (no kernels stored)."""
    text, kernels, bias = resolve_bank(spec, config.seed)
    if text == banks.resolve(banks.DEFAULT_SPEC)[0]:
        return config.replace(kernels=None, kernel_bank=None, kernel_bias=None)
    return config.replace(kernels=kernels.tolist(), kernel_bank=text,
                          kernel_bias=None if bias is None else bias.tolist())
