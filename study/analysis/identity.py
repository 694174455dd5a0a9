"""Init identity (docs/study.md#initial-weights): the initial tensors the networks share, and
the frozen conv1 that training must leave as it was, as table rows whose norms should all be
exactly 0."""

from __future__ import annotations

from study.protocol.weights import frozen_rows, nested_weights

IDENTITY_TABLE_COLUMNS = ("check", "kind", "norm", "verdict")
IDENTICAL, DIFFERS = "identical", "differs"


def identity_table(state) -> list[dict]:
    """The init identity rows of a StudyState, plus the frozen-conv1 rows after training.

    A study that stopped or failed before writing the frozen rows gets them from its stored
    initial and final weights. Every norm should be exactly 0.
    """
    rows = list(state.init_identity)
    if not any("after training" in check for check, _ in rows):
        rows += _frozen_rows_from_weights(state)
    return [
        {"check": check,
         "kind": "after training" if "after training" in check else "initial",
         "norm": float(norm),
         "verdict": IDENTICAL if float(norm) == 0.0 else DIFFERS}
        for check, norm in rows
    ]


def _frozen_rows_from_weights(state) -> list[tuple[str, float]]:
    initial, final = {}, {}
    for network in state.config.networks:
        before, after = state.weights(network, "initial"), state.weights(network, "final")
        if before is not None and after is not None:
            initial[network], final[network] = nested_weights(before), nested_weights(after)
    return frozen_rows(initial, final)
