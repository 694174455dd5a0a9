"""The device probe, a child process: the CPU first, and a backend that cannot load reported."""

from __future__ import annotations

from gui.worker import DeviceProbe


def test_device_probe_lists_the_cpu_first(qtbot):
    probe = DeviceProbe("torch")
    with qtbot.waitSignal(probe.sig_devices, timeout=120_000) as blocker:
        probe.start()
    backend, devices = blocker.args
    assert backend == "torch"
    assert devices[0].name == "cpu" and devices[0].description == "CPU"
    assert all(d.name.startswith("gpu:") for d in devices[1:])


def test_device_probe_reports_a_backend_that_cannot_load(qtbot):
    probe = DeviceProbe("theano")
    with qtbot.waitSignal(probe.sig_failed, timeout=60_000) as blocker:
        probe.start()
    backend, message = blocker.args
    assert backend == "theano"
    assert message.startswith("could not list the devices of theano: ")
    assert "unknown backend" in message
