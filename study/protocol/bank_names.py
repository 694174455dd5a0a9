"""What a study's conv1 bank is called (docs/study.md#kernel-banks): the spec it recorded,
`byhand` for the report's kernels, `custom` for kernels given as a list (the app's kernel
editor); a short label for tables and legends, and the words a study's conclusions use for HF
and HT when its bank is not the report's. numpy only."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from study.protocol import banks, byhand
from study.protocol.byhand import KernelError

BYHAND, CUSTOM = "byhand", "custom"


def study_bank(kernel_bank, kernels=None) -> str:
    """The bank of a study's settings: `kernel_bank` (the canonical spec) when set, else
    "byhand" for no kernels or the report's, else "custom"."""
    if isinstance(kernel_bank, str) and kernel_bank.strip():
        return kernel_bank
    if kernels is None:
        return BYHAND
    try:
        same = np.array_equal(np.asarray(kernels, dtype=np.float32), byhand.REPORT_KERNELS)
    except (TypeError, ValueError, OverflowError):
        same = False
    return BYHAND if same else CUSTOM


def settings_bank(settings: dict) -> str:
    """study_bank of a config.json's dict (`kernel_bank` and `kernels`)."""
    return study_bank(settings.get("kernel_bank"), settings.get("kernels"))


def bank_label(bank) -> str:
    """A short name of a bank's spec: the bank with the parameters that differ from its
    defaults ("sobel", "gabor:orientations=8", "random-binary:seed=3"), a kernel file's name, or
    "learned: NetA1-DT of STUDY" (", seed S" after a seed other than 0)."""
    text = str(bank or BYHAND).strip()
    if text == CUSTOM:
        return CUSTOM
    try:
        spec = banks.parse_spec(text)
    except KernelError:
        return text
    if spec.name == "file":
        return Path(spec.path).name or spec.path
    if spec.name == "learned":
        folder, network, seed = spec.path
        label = f"learned: {network or banks.DEFAULT_LEARNED_NETWORK} of {Path(folder).name}"
        return label + (f", seed {seed}" if seed else "")
    defaults = banks.PARAMETERS[spec.name]
    shown = [f"{key}={banks.show_value(value)}" for key, value in spec.params.items()
             if value is not None and value != defaults.get(key)]
    return spec.name + (":" + ",".join(shown) if shown else "")


def is_report_bank(bank) -> bool:
    """True for the report's kernels and for kernels edited by hand (both are hand-made)."""
    return str(bank or BYHAND) in (BYHAND, CUSTOM) or bank_label(bank) == BYHAND


def scheme_words(bank) -> dict[str, str]:
    """{"HF": …, "HT": …}: the words a study's conclusions use for the two schemes that start
    from the bank; "HF" and "HT" for the report's (or hand-edited) kernels, else
    "hand-made frozen (sobel)", "learned-then-frozen (learned: NetA1-DT of STUDY)" and the
    trained counterparts."""
    if is_report_bank(bank):
        return {"HF": "HF", "HT": "HT"}
    label = bank_label(bank)
    if label.startswith("learned:"):
        return {"HF": f"learned-then-frozen ({label})", "HT": f"learned-then-trained ({label})"}
    return {"HF": f"hand-made frozen ({label})", "HT": f"hand-made trained ({label})"}


_SCHEME_WORDS = re.compile(r"HF->HT|\b(NetA[12])-(HF|HT)\b|\b(HF|HT)\b")


def bank_text(text: str, words: dict[str, str]) -> str:
    """A conclusion's text speaking of the study's bank: HF and HT (alone, in "HF->HT" and in a
    network's name) become `words` (bank_names.scheme_words), e.g. "hand-made frozen (sobel)";
    the report's words leave the text as it is."""
    if words == {"HF": "HF", "HT": "HT"}:
        return text

    def spelled(match) -> str:
        if match[0] == "HF->HT":
            return f"{words['HF']} -> {words['HT']}"
        if match[1]:
            return f"{match[1]} {words[match[2]]}"
        return words[match[3]]

    return _SCHEME_WORDS.sub(spelled, text)
