"""Curator's desktop front end (PySide6).

Everything Qt lives here; the core (:mod:`curator`) never imports this
package. Work that may block (disk, network, NLP) runs through
:class:`ui.tasks.TaskRunner`, and core store events reach Qt models through
:class:`ui.models.StoreEventBridge`, so no widget is ever touched from a
worker thread.
"""
