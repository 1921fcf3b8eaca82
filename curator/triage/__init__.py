"""The response desk: triage, conversations across channels, targets, routing, replies, metrics.

Start at :class:`curator.triage.service.DeskService`; the stored records are in
:mod:`curator.triage.model`, the rules in :mod:`curator.triage.rules`. Nothing
is imported here: the service loads spaCy, and a page that only shows stored
conversations should not pay for that.
"""
