"""The study options shared by `main.py study` and `main.py sweep`, and the StudyConfig they ask
for."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from study.config import HEADS, MAX_SEEDS, MODES, ConfigError, StudyConfig, load_config
from study.datasets.known import KNOWN, is_known
from study.folder.layout import DEFAULT_ROOT
from study.protocol.backends import BACKENDS
from study.protocol.networks import NETWORKS


def add_study_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `main.py study` (defaults from StudyConfig, docs/study.md#training)."""
    parser.add_argument("--config", metavar="FILE", help="study config JSON (options override it)")
    parser.add_argument("--backend", choices=BACKENDS, help="Keras backend (default: "
                        f"KERAS_BACKEND if set, else {StudyConfig.backend})")
    parser.add_argument("--device", help="cpu, gpu or gpu:N (default cpu)")
    parser.add_argument("--epochs", type=int, metavar="N",
                        help=f"epochs per network (default {StudyConfig.epochs})")
    parser.add_argument("--batch-size", type=int, metavar="N",
                        help=f"images per training batch (default {StudyConfig.batch_size})")
    parser.add_argument("--lr", type=float, help="Adam learning rate (default 3.35e-4)")
    parser.add_argument("--seed", type=int, metavar="S", help="the seed of the initial weights "
                        f"and the batch order; the first with --seeds N (default "
                        f"{StudyConfig.seed})")
    parser.add_argument("--seeds", metavar="N|LIST", help="train every network with N seeds "
                        "(--seed … --seed+N-1) or with the listed ones (e.g. 0,3,7): a mean and "
                        "95 %% interval per network and conclusion")
    parser.add_argument("--no-shuffle", action="store_true",
                        help="keep the stored sample order, as the report's loader did")
    parser.add_argument("--networks", help=f"comma-separated subset of {','.join(NETWORKS)}")
    parser.add_argument("--train-limit", type=int, metavar="N", help="use the first N training "
                        "images only (default: all)")
    parser.add_argument("--test-limit", type=int, metavar="N", help="use the first N test "
                        "images only (default: all)")
    parser.add_argument("--head", choices=HEADS, help="softmax (correct, default) or report "
                        "(the report's flawed head)")
    parser.add_argument("--mode", choices=MODES, help="sequential (one network at a time, "
                        "default) or all-at-once (all networks as one model, same batches; "
                        "per-network times are then isolated-timing estimates)")
    parser.add_argument("--timing-rounds", type=int, metavar="N", help="all-at-once: time each "
                        "network alone in N rounds for its seconds per epoch and their 95 %% "
                        "interval (default 5; 0: no isolated timing, the time claims are then "
                        "not resolved)")
    parser.add_argument("--kernels", metavar="BANK", help="conv1's kernel bank for HF and HT: "
                        "byhand (the report's, default), sobel, scharr, prewitt, laplacian, "
                        "gabor, dct, random-binary, random-normal (parameters: e.g. "
                        "gabor:orientations=4,size=5), learned:STUDY_DIR[:NETWORK[:SEED]] or a "
                        "kernels JSON file (docs/study.md#kernel-banks)")
    parser.add_argument("--dataset", metavar="NAME|PATH", help="the data: fashion-mnist "
                        "(default), mnist, kmnist, cifar10 (fetched once with --download) or "
                        "your own folder of IDX files or .npz (docs/datasets.md)")
    parser.add_argument("--download", action="store_true", help="fetch the named dataset into "
                        "the cache folder first (checked against its published SHA-256)")
    parser.add_argument("--data", metavar="DIR", help="read the named dataset (default "
                        "Fashion-MNIST) from this folder of IDX files or .npz (default: the "
                        "system copy or the download cache)")
    parser.add_argument("--out", metavar="DIR", default=str(DEFAULT_ROOT),
                        help="where study folders are made (default: studies/)")
    parser.add_argument("--events", choices=("text", "json"), default="text",
                        help="print progress as text (default) or as one JSON event per line")
    parser.add_argument("--resume", metavar="STUDY_DIR", help="continue a stopped, failed or "
                        "interrupted study in its own folder from its last completed epoch "
                        "(its settings cannot be changed)")
    parser.add_argument("--tensorboard", action="store_true", help="also write TensorBoard "
                        "event files per network under STUDY_DIR/tensorboard, with the settings as "
                        "HParams (view: tensorboard --logdir DIR)")
    parser.add_argument("--name", metavar="TEXT", help="a name for the study, shown by `list` "
                        "and the app (default: none; the folder keeps its date name)")
    parser.add_argument("--note", metavar="TEXT", help="a note on the study (why it was run, "
                        "what changed), kept in its config.json (default: none)")
    parser.add_argument("--stop-on-stdin", action="store_true", help=argparse.SUPPRESS)
    # The app's pre-started worker (study/run/warm.py): load Keras, then wait for one job on stdin.
    parser.add_argument("--warm-start", action="store_true", help=argparse.SUPPRESS)


# Options that would change a study's settings: refused with --resume.
SETTING_OPTIONS = ("config", "backend", "device", "epochs", "batch_size", "lr", "seed", "seeds",
                   "networks", "train_limit", "test_limit", "head", "mode", "kernels", "data",
                   "timing_rounds",
                   "dataset", "quick", "name", "note")



def settings_given(args) -> list[str]:
    """The setting options given (as typed: --lr, --no-shuffle), which a resume refuses."""
    given = [f"--{name.replace('_', '-')}" for name in SETTING_OPTIONS
             if getattr(args, name, None) not in (None, False)]
    if args.no_shuffle:
        given.append("--no-shuffle")
    return given


def config_from_args(args) -> StudyConfig:
    """The StudyConfig the command line asks for: --config first, then each option over it."""
    config = load_config(args.config) if args.config else StudyConfig(
        backend=os.environ.get("KERAS_BACKEND", StudyConfig.backend)
    )
    if getattr(args, "quick", False):
        from study.run.quick import quick_config

        config = quick_config(config, backend=args.backend)
    changes = {
        "backend": args.backend, "device": args.device, "epochs": args.epochs,
        "batch_size": args.batch_size, "learning_rate": args.lr, "seed": args.seed,
        "train_limit": args.train_limit, "test_limit": args.test_limit, "head": args.head,
        "data_dir": args.data, "mode": args.mode, "name": getattr(args, "name", None),
        "note": getattr(args, "note", None), "dataset": _dataset_setting(args),
        "timing_rounds": getattr(args, "timing_rounds", None),
    }
    changes = {k: v for k, v in changes.items() if v is not None}
    if args.no_shuffle:
        changes["shuffle"] = False
    if args.networks is not None:
        changes["networks"] = tuple(n.strip() for n in args.networks.split(",") if n.strip())
    if getattr(args, "seeds", None) is not None:
        seeds, listed = parse_seeds(args.seeds, changes.get("seed", config.seed))
        if listed:
            if args.seed is not None and args.seed != seeds[0]:
                raise ConfigError("Invalid study settings: --seed goes with a count (--seeds N); "
                                  "a list of seeds gives its own")
            changes["seed"] = seeds[0]
        changes["seeds"] = seeds
    config = config.replace(**changes)
    spec = args.kernels or (config.kernel_bank if config.kernels is None else None)
    if spec:
        # Random banks draw from the study seed, so the bank is resolved after --seed.
        from study.kernel_bank import with_bank

        config = with_bank(config, spec)
    return config.validated()


def _dataset_setting(args) -> str | None:
    """--dataset as a config holds it: a known name, or the user's path made absolute."""
    value = getattr(args, "dataset", None)
    if value is None or is_known(value):
        return value
    return str(Path(value).expanduser().absolute())


def fetch_if_asked(args, datasets) -> None:
    """--download: fetch each known dataset of `datasets` into the cache folder (checked
    against its SHA-256) before anything else; DataError or ConfigError (one line) if not."""
    if not getattr(args, "download", False):
        return
    from study.data import download

    for name in dict.fromkeys(datasets):
        if not is_known(name):
            raise ConfigError(f"--download fetches a known dataset ({', '.join(KNOWN)}); "
                              f"{name} is your own data")
        download(name, report=lambda line: print(line, file=sys.stderr, flush=True))


def parse_seeds(text: str, first: int) -> tuple[tuple[int, ...], bool]:
    """`--seeds`: a count N (the seeds first … first+N-1) or a comma-separated list.

    Returns (seeds, whether they were listed); ConfigError for anything else. The seeds'
    range, number and distinctness are checked by StudyConfig.validated().
    """
    text = str(text).strip()
    hint = "give a count (--seeds 5) or a comma-separated list (--seeds 0,3,7)"
    parts = [part.strip() for part in text.split(",")]
    try:
        values = tuple(int(part) for part in parts)
    except ValueError:
        raise ConfigError(f"Invalid study settings: seeds {text!r} is not understood; {hint}"
                          ) from None
    if len(values) > 1:
        return values, True
    count = values[0]
    if count > MAX_SEEDS:
        raise ConfigError(f"Invalid study settings: seeds must list 1 to {MAX_SEEDS} seeds, got "
                          f"{count}")
    if count < 1:
        raise ConfigError(f"Invalid study settings: seeds must be at least 1 seed, got {count}; "
                          f"{hint}")
    return tuple(range(int(first), int(first) + count)), False


