"""Where the compile cache lives: the folder follows the setting."""

from __future__ import annotations


def test_cache_folder_follows_the_setting(monkeypatch, tmp_path):
    from keras_models.backend import compile_cache_dir

    monkeypatch.delenv("KERNEL_LAB_COMPILE_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert compile_cache_dir() == tmp_path / "xdg" / "kernel-lab" / "compiled"
    monkeypatch.setenv("KERNEL_LAB_COMPILE_CACHE", str(tmp_path / "mine"))
    assert compile_cache_dir() == tmp_path / "mine"
    for off in ("off", "0", "OFF"):
        monkeypatch.setenv("KERNEL_LAB_COMPILE_CACHE", off)
        assert compile_cache_dir() is None
