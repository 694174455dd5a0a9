"""File › Export's questions: which folder (a new one may be named; the export makes it), and
what is exported — the study shown, or the comparison the Studies tab shows."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog


def choose_export_folder(parent, title: str, suggested) -> str:
    """A folder chosen or named in a dialog that accepts a folder that does not exist yet (the
    export makes it); '' when cancelled."""
    dialog = QFileDialog(parent, title, str(suggested))
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    dialog.setLabelText(QFileDialog.DialogLabel.FileName, "Folder:")
    dialog.setLabelText(QFileDialog.DialogLabel.Accept, "Export")
    # Replacing is asked about by the export itself (only an earlier export is replaced).
    dialog.setOption(QFileDialog.Option.DontConfirmOverwrite, True)
    dialog.selectFile(str(suggested))
    if dialog.exec() != QFileDialog.DialogCode.Accepted or not dialog.selectedFiles():
        return ""
    return dialog.selectedFiles()[0]


def shown_comparison(window):
    """The comparison of several studies the Studies tab shows, when it is the tab shown."""
    panel = window.studies_panel
    if window.tabs.currentWidget() is not panel or panel.comparison is None:
        return None
    return panel.comparison


def export_shown(window) -> None:
    """File › Export…: ask for a folder, then export the Studies tab's comparison (when that tab
    shows one) or the study shown."""
    comparison = shown_comparison(window)
    if comparison is not None:
        folder = choose_export_folder(
            window, f"Export the comparison of {', '.join(comparison.labels)} into a folder",
            window.setup.studies_root() / "comparison")
        if folder:
            export_comparison(window, comparison, folder)
        return
    if window.stored is None:
        window.show_message("information", "Nothing to export",
                            "Open a study (File > Open) or run one, then export it.")
        return
    study = window.stored.folder
    folder = choose_export_folder(window, f"Export {study.name} into a folder",
                                  study.parent / f"{study.name}-export")
    if folder:
        window.export_study_to(folder)


def export_comparison(window, comparison, folder) -> bool:
    """Write a comparison (CSVs, overlay PNGs) into `folder`, made if new; False if not."""
    from gui.figures.overlay import write_overlay_pngs
    from study.analysis.multi_compare import CompareError, is_compare_folder, write_comparison

    target = Path(folder)
    force = target.is_dir() and is_compare_folder(target)
    if force and not window.confirm_replace_export(target):
        return False
    try:
        names = write_comparison(comparison, target, force=force,
                                 extra_writers=[write_overlay_pngs])
    except CompareError as exc:
        window.statusBar().showMessage("Export failed")
        window.show_message("critical", "Export failed", str(exc))
        return False
    window.statusBar().showMessage(f"Exported the comparison of {', '.join(comparison.labels)} "
                                   f"to {target} ({len(names)} files)")
    return True
