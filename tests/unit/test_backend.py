"""Backends and devices: chosen before Keras loads, clear errors for missing ones."""

import importlib.util
import os

import pytest

from keras_models import backend
from study.protocol import backends
from study.protocol.backends import BackendError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_every_backend_is_listed_with_its_status():
    statuses = {s.name: s for s in backends.available_backends()}
    assert list(statuses) == ["torch", "tensorflow", "jax"]
    for name, status in statuses.items():
        assert status.installed == (importlib.util.find_spec(name) is not None)


def test_a_backend_that_is_not_installed_says_how_to_install_it(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "jax" else real(name, *a))
    with pytest.raises(BackendError) as info:
        backend.select_backend("jax")
    assert "backend 'jax' cannot be used: the jax package is not installed" in str(info.value)
    assert "pip install jax" in str(info.value)


def test_unknown_backend():
    with pytest.raises(BackendError, match="unknown backend; choose one of torch, tensorflow"):
        backend.select_backend("theano")


@pytest.mark.parametrize(("text", "parsed"), [("cpu", ("cpu", 0)), ("GPU", ("gpu", 0)),
                                              ("gpu:3", ("gpu", 3))])
def test_device_names(text, parsed):
    assert backends.parse_device(text) == parsed


def test_bad_device_name():
    with pytest.raises(BackendError, match="use cpu, gpu or gpu:N"):
        backends.parse_device("cuda")


@pytest.mark.backend
def test_devices_of_the_running_backend_start_with_the_cpu(backend_name):
    devices = backend.list_devices(backend_name)
    assert devices[0].name == "cpu"
    gpus = [d for d in devices if d.name.startswith("gpu")]
    assert backend.resolve_device("cpu", backend_name) == "cpu"
    if not gpus:
        with pytest.raises(BackendError, match="finds no GPU on this machine; use --device cpu"):
            backend.resolve_device("gpu", backend_name)
    else:
        with pytest.raises(BackendError, match="does not exist"):
            backend.resolve_device(f"gpu:{len(gpus)}", backend_name)


@pytest.mark.backend
def test_a_second_backend_in_one_process_is_refused(backend_name):
    backend.select_backend(backend_name)
    import keras

    assert keras.backend.backend() == backend_name
    other = "jax" if backend_name != "jax" else "torch"
    with pytest.raises(BackendError, match="start a new process"):
        backend.select_backend(other)
