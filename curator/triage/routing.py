"""Routing conversations to the person or expert group who knows the answer.

Expert groups are skills (``User.skills``: billing, technical, delivery,
product...). Editable :class:`RoutingRules` (config key ``routing_rules``) map
phrases (rule syntax, see :mod:`curator.triage.rules`) and hot issues to a
skill; the skill whose rule matches most of the conversation's messages wins
(an issue rule counts three), ties going to the rule listed first. With
``auto_assign`` the conversation then goes to the least-loaded agent with that
skill (fewest open or waiting conversations; ties by name), else it waits in
the expert group's queue.

Permissions are checked here, in the core, so every front end enforces them:
only agents and admins work the desk (assign, note, override, link, reply,
resolve, share), only they can be assigned, and only admins change the
desk's rules and targets.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from curator.domain import Role, User
from curator.triage.model import (
    Conversation,
    ConversationStatus,
    PermissionDenied,
    RulesInvalid,
    TriageInputs,
)
from curator.triage.rules import PhraseSet, parse_phrase

__all__ = [
    "ROUTING_KEY",
    "RoutingDecision",
    "RoutingRule",
    "RoutingRules",
    "choose_expert_group",
    "least_loaded",
    "require_admin",
    "require_agent",
    "require_assignable",
    "route",
    "routing_problems",
    "validate_routing",
    "workload",
]

ROUTING_KEY = "routing_rules"
ISSUE_WEIGHT = 3


@dataclass
class RoutingRule:
    """Messages matching ``phrases`` (or in one of ``issue_ids``) go to ``skill``."""

    skill: str
    phrases: list[str] = field(default_factory=list)
    issue_ids: list[str] = field(default_factory=list)


def _default_rules() -> list[RoutingRule]:
    billing = ["refund*", "charg*", "billing|billed|bill", "invoice*", "payment*", "pay|paid", "debit*"]
    billing += ["subscription*", "cancel*", "money", "price*", "surcharge*", "abgebucht", "abbuchung*"]
    billing += ["erstattung*", "rückerstattung*", "kündig*"]
    technical = ["app", "login|log-in|logged", "log in", "password*", "error*", "crash*", "bug*", "update*"]
    technical += ["website", "outage", "spinner", "anmeldung", "passwort", "fehler*"]
    delivery = ["deliver*", "parcel*", "tracking", "courier*", "shipping|shipped|shipment", "dispatch*"]
    delivery += ["arrive|arrived", "lieferung*", "paket*", "sendung*", "zustellung"]
    product = ["blend*", "bean|beans", "roast*", "taste*", "decaf", "grind*", "grinder", "flavour|flavor"]
    product += ["oat milk", "espresso", "latte"]
    return [
        RoutingRule("billing", billing),
        RoutingRule("technical", technical),
        RoutingRule("delivery", delivery),
        RoutingRule("product", product),
    ]


@dataclass
class RoutingRules:
    """The editable routing rules; ``RoutingRules()`` is the default."""

    rules: list[RoutingRule] = field(default_factory=_default_rules)
    auto_assign: bool = True


def routing_problems(rules: RoutingRules) -> list[str]:
    """Every mistake in ``rules`` as a sentence (empty when fine)."""
    problems: list[str] = []
    for rule in rules.rules:
        if not rule.skill.strip():
            problems.append("Every routing rule needs an expert group (a skill such as 'billing').")
        if not rule.phrases and not rule.issue_ids:
            problems.append(f"The routing rule for {rule.skill!r} has no phrase and no issue; add one.")
        for phrase in rule.phrases:
            try:
                parse_phrase(phrase)
            except RulesInvalid as exc:
                problems.append(str(exc))
    return problems


def validate_routing(rules: RoutingRules) -> None:
    """Raise :class:`RulesInvalid` listing every mistake."""
    problems = routing_problems(rules)
    if problems:
        raise RulesInvalid(" ".join(problems))


@dataclass(frozen=True)
class RoutingDecision:
    """Where a conversation goes and why.

    Attributes:
        expert_group: The skill ("" when no rule matched: the general queue).
        assignee_id: The chosen agent ("" when none has the skill or auto-assign is off).
        reason: A short sentence for the conversation's history.
    """

    expert_group: str
    assignee_id: str
    reason: str


def choose_expert_group(
    inputs: Sequence[TriageInputs], issue_ids: Iterable[str | None], rules: RoutingRules
) -> tuple[str, str]:
    """The skill for messages with these inputs and issues, and the phrase or issue that decided.

    Returns:
        ``(skill, why)``; ``("", "")`` when no rule matches.
    """
    scores: Counter[str] = Counter()
    why: dict[str, str] = {}
    issues = {i for i in issue_ids if i}
    for rule in rules.rules:
        skill = rule.skill.strip().lower()
        phrases = _phrases(tuple(rule.phrases))
        for inp in inputs:
            hits = phrases.find(inp.tokens)
            if hits:
                scores[skill] += len(hits)
                why.setdefault(skill, f"'{hits[0].rstrip('*')}'")
        matched = issues & set(rule.issue_ids)
        if matched:
            scores[skill] += ISSUE_WEIGHT * len(matched)
            why[skill] = "its hot issue"
    if not scores:
        return "", ""
    order = [r.skill.strip().lower() for r in rules.rules]
    best = max(scores, key=lambda s: (scores[s], -order.index(s)))
    return best, why[best]


@functools.lru_cache(maxsize=256)
def _phrases(phrases: tuple[str, ...]) -> PhraseSet:
    """Rules are routed against every new conversation: parse each rule's phrases once."""
    return PhraseSet(phrases)


def _is_agent(user: User) -> bool:
    return user.has_role(Role.AGENT)


def workload(conversations: Iterable[Conversation]) -> dict[str, int]:
    """Open and waiting live conversations per assignee id."""
    load: Counter[str] = Counter()
    for conv in conversations:
        if conv.is_live and conv.assignee_id and conv.status != ConversationStatus.RESOLVED:
            load[conv.assignee_id] += 1
    return dict(load)


def least_loaded(skill: str, users: Iterable[User], load: Mapping[str, int]) -> User | None:
    """The agent with ``skill`` and the fewest open conversations (ties by name, then id).

    Only users holding the agent role are picked automatically; an admin without
    it is not handed customer work by a rule.
    """
    skill = skill.strip().lower()
    able = [u for u in users if Role.AGENT in u.roles and skill in {s.strip().lower() for s in u.skills}]
    if not able:
        return None
    return min(able, key=lambda u: (load.get(u.id, 0), u.name.lower(), u.id))


def route(
    conv: Conversation,
    users: Sequence[User],
    rules: RoutingRules,
    *,
    inputs: Sequence[TriageInputs],
    issue_ids: Iterable[str | None] = (),
    load: Mapping[str, int] | None = None,
) -> RoutingDecision:
    """Decide the expert group and (with auto-assign) the agent for ``conv``.

    Args:
        conv: The conversation (only read).
        users: The workspace's users.
        rules: The routing rules.
        inputs: Triage inputs of the conversation's messages.
        issue_ids: The messages' issues.
        load: Open conversations per user id (see :func:`workload`).
    """
    skill, why = choose_expert_group(inputs, issue_ids, rules)
    if not skill:
        return RoutingDecision("", "", "No routing rule matched: left in the general queue.")
    reason = f"Routed to {skill} by rule ({why})"
    if not rules.auto_assign:
        return RoutingDecision(skill, "", f"{reason}.")
    agent = least_loaded(skill, users, load or {})
    if agent is None:
        return RoutingDecision(
            skill, "", f"{reason}; no agent has the skill '{skill}', so it waits in its queue."
        )
    return RoutingDecision(skill, agent.id, f"{reason}; assigned to {agent.name}, the least busy.")


def require_agent(user: User, action: str) -> None:
    """Allow agents and admins only.

    Raises:
        PermissionDenied: With a sentence naming the action and who may do it.
    """
    if not _is_agent(user):
        raise PermissionDenied(
            f"{user.name} may not {action}: only agents and admins work the response desk. "
            "Ask an admin to give you the agent role."
        )


def require_admin(user: User, action: str) -> None:
    """Allow admins only (rules, targets and settings of the desk)."""
    if not user.has_role(Role.ADMIN):
        raise PermissionDenied(f"{user.name} may not {action}: only admins change the response desk's rules.")


def require_assignable(user: User) -> None:
    """Only agents and admins can be given conversations."""
    if not _is_agent(user):
        raise PermissionDenied(
            f"{user.name} cannot be assigned conversations: only agents and admins answer customers. "
            "Pick an agent, or give them the agent role first."
        )
