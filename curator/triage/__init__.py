"""The response desk: triage, conversations across channels, targets, routing, replies, metrics.

Start at :class:`curator.triage.service.DeskService`; the stored records are in
:mod:`curator.triage.model`, the rules in :mod:`curator.triage.rules`.
"""

from curator.triage.model import (
    ChannelChangeNeedsReason,
    Conversation,
    ConversationStatus,
    DeskError,
    DeskSettings,
    NotAvailable,
    NotFound,
    PermissionDenied,
    Reply,
    ReplyStatus,
    ReplyTemplate,
    RulesInvalid,
    TemplateError,
    TriageGroup,
    TriageRecord,
)
from curator.triage.routing import RoutingRule, RoutingRules
from curator.triage.rules import TriageResult, TriageRules, WatchedTerm, explain, triage
from curator.triage.service import (
    ConversationDetail,
    ConversationFilter,
    ConversationSummary,
    DeskNotification,
    DeskService,
    RulePreview,
    TriageSummary,
    preview_rules,
)
from curator.triage.targets import GroupTargets, ResponseTargets, Timer, timer

__all__ = [
    "ChannelChangeNeedsReason",
    "Conversation",
    "ConversationDetail",
    "ConversationFilter",
    "ConversationStatus",
    "ConversationSummary",
    "DeskError",
    "DeskNotification",
    "DeskService",
    "DeskSettings",
    "GroupTargets",
    "NotAvailable",
    "NotFound",
    "PermissionDenied",
    "Reply",
    "ReplyStatus",
    "ReplyTemplate",
    "ResponseTargets",
    "RoutingRule",
    "RoutingRules",
    "RulePreview",
    "RulesInvalid",
    "TemplateError",
    "Timer",
    "TriageGroup",
    "TriageRecord",
    "TriageResult",
    "TriageRules",
    "TriageSummary",
    "WatchedTerm",
    "explain",
    "preview_rules",
    "timer",
    "triage",
]
