"""The `details` step: business details and billing info, one field at a time, then a review.

Its part of the integration's data: `fields` (key → normalized value), `cursor` (index into
`fields.ASKED`), `editing` (a key being changed from the review), `review` and `confirming`
flags, and `errors` (fields that got an invalid value; for support, never the values).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.flow import fields
from bot.flow.events import Pressed, Text
from bot.flow.fields import ASKED, Invalid
from bot.flow.screens import Button, Msg, Screen, pack
from bot.i18n import N_

MAX_ERRORS_KEPT = 20


@dataclass(frozen=True)
class Outcome:
    data: dict[str, Any]
    audit: str
    notice: Msg | None = None
    detail: Mapping[str, Any] | None = None


def _without(data: Mapping[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != key}


def start(data: Mapping[str, Any]) -> dict[str, Any]:
    """Begin (or begin again) collecting: values entered earlier (or prefilled by a support
    agent's link) are kept, and the first question is the first one without a value."""
    values = dict(data.get("fields", {}))
    missing = [i for i, spec in enumerate(ASKED) if spec.key not in values]
    started = {**clear_cursor(data), "mode": "create", "fields": values}
    return {**started, "cursor": missing[0]} if missing else {**started, "review": True}


def clear_cursor(data: Mapping[str, Any]) -> dict[str, Any]:
    kept = {k: v for k, v in data.items() if k not in ("cursor", "editing", "review", "confirming")}
    return kept


def review(data: Mapping[str, Any]) -> dict[str, Any]:
    return {**clear_cursor(data), "mode": "create", "review": True}


def at_first_field(data: Mapping[str, Any]) -> bool:
    return not data.get("review") and not data.get("editing") and data.get("cursor", 0) == 0


def request(data: Mapping[str, Any]) -> dict[str, Any]:
    """The Promote API's `create` body from the collected fields."""
    values = {spec.key: spec.fixed or data["fields"].get(spec.key, "") for spec in fields.FIELDS}
    return {
        "mode": "create",
        "business": {
            "name": values["business_name"],
            "industry": values["industry"],
            "website": values["website"],
            "registered_area": values["registered_area"],
            "timezone": values["timezone"],
            "currency": values["currency"],
        },
        "billing": {
            "company_legal_name": values["company_legal_name"],
            "street": values["street"],
            "city": values["city"],
            "province": values["province"],
            "postal_code": values["postal_code"],
            "npwp": values["npwp"],
            "email": values["billing_email"],
            "contact_name": values["contact_name"],
            "phone": values["contact_phone"],
        },
    }


def handle(data: Mapping[str, Any], event: Pressed | Text) -> Outcome | None:
    """One user event at this step; None when it does not fit (the caller shows the screen)."""
    if data.get("confirming"):
        if event == Pressed("rev:review"):
            return Outcome({**data, "confirming": False}, audit="review_shown")
        return None
    if data.get("review") and not data.get("editing"):
        match event:
            case Pressed(action="rev:confirm"):
                return Outcome({**data, "confirming": True}, audit="review_confirmed")
            case Pressed(action=action) if action.startswith("rev:edit:"):
                key = action.removeprefix("rev:edit:")
                if key in {spec.key for spec in ASKED}:
                    return Outcome(
                        {**data, "editing": key}, audit="field_edit", detail={"field": key}
                    )
        return None
    spec = _asked(data)
    match event:
        case Pressed(action="f:back"):
            if data.get("editing"):
                return Outcome(_without(data, "editing"), audit="edit_abandoned")
            if data.get("cursor", 0) > 0:
                return Outcome({**data, "cursor": data["cursor"] - 1}, audit="field_back")
            return None
        case Pressed(action="f:skip") if spec.optional:
            return _store(data, spec.key, "")
        case Pressed(action=action) if action.startswith("f:c:") and spec.choices:
            return _enter(data, spec, action.removeprefix("f:c:"))
        case Text(text=text):
            return _enter(data, spec, text)
    return None


def _asked(data: Mapping[str, Any]) -> fields.FieldSpec:
    editing = data.get("editing")
    return fields.field(editing) if editing else ASKED[min(data.get("cursor", 0), len(ASKED) - 1)]


def _enter(data: Mapping[str, Any], spec: fields.FieldSpec, raw: str) -> Outcome:
    result = fields.validate(spec.key, raw)
    if isinstance(result, Invalid):
        errors = [*data.get("errors", []), {"field": spec.key}][-MAX_ERRORS_KEPT:]
        return Outcome(
            {**data, "errors": errors},
            notice=invalid_notice(result),
            audit="field_invalid",
            detail={"field": spec.key},
        )
    return _store(data, spec.key, result.value)


def _store(data: Mapping[str, Any], key: str, value: str) -> Outcome:
    new: dict[str, Any] = {**data, "fields": {**data.get("fields", {}), key: value}}
    if new.get("editing"):
        new = _without(new, "editing")
    else:
        new["cursor"] = new.get("cursor", 0) + 1
        if new["cursor"] >= len(ASKED):
            new["review"] = True
    return Outcome(new, audit="field_entered", detail={"field": key})


def invalid_notice(result: Invalid) -> Msg:
    return Msg(
        # NOTE: {reason} says what is wrong with the value the user sent; {example} is a valid one.
        N_("⚠️ {reason}\nExample of a valid value: <code>{example}</code>"),
        {"reason": Msg(result.reason, result.params), "example": result.params["example"]},
    )


# --- screens --------------------------------------------------------------------------------


def current(data: Mapping[str, Any]) -> Screen:
    if data.get("confirming"):
        return confirm_screen(data)
    if data.get("review") and not data.get("editing"):
        return review_screen(data)
    return field_screen(data)


def field_screen(data: Mapping[str, Any]) -> Screen:
    spec = _asked(data)
    number = [s.key for s in ASKED].index(spec.key) + 1
    choices = [Button(c.label, action=f"f:c:{c.key}") for c in spec.choices]
    choice_rows = pack(choices, [len(c.label) for c in spec.choices])
    controls: list[Button] = []
    if data.get("editing"):
        controls.append(Button(N_("Back to review"), action="f:back"))
    elif number > 1 or data.get("accounts"):
        controls.append(Button(N_("Back"), action="f:back"))
    if spec.optional:
        controls.append(Button(N_("Skip"), action="f:skip"))
    return Screen(
        key=f"field_{spec.key}",
        # NOTE: The progress line above each question, e.g. "Detail bisnis · Langkah 3 dari 13".
        text=N_("<b>{section}</b> · Step {number} of {total}\n\n{prompt}"),
        params={
            "section": Msg(fields.SECTION_LABELS[spec.section]),
            "number": number,
            "total": len(ASKED),
            "prompt": Msg(spec.prompt, {"example": spec.example}),
        },
        buttons=(*choice_rows, *((tuple(controls),) if controls else ())),
    )


def _shown(key: str, value: str) -> object:
    shown = fields.display_value(key, value)
    return Msg(shown) if fields.display_is_msgid(key, value) else shown


def _lines(data: Mapping[str, Any], section: str) -> list[Msg]:
    values = data.get("fields", {})
    return [
        Msg(
            N_("{label}: {value}"),
            {
                "label": Msg(spec.label),
                "value": _shown(spec.key, spec.fixed or values.get(spec.key, "")),
            },
        )
        for spec in fields.FIELDS
        if spec.section == section
    ]


def review_screen(data: Mapping[str, Any]) -> Screen:
    edit_buttons = [
        Button(N_("✏️ {label}"), action=f"rev:edit:{spec.key}", params={"label": Msg(spec.label)})
        for spec in ASKED
    ]
    rows = pack(edit_buttons, [len(spec.label) + 3 for spec in ASKED])
    return Screen(
        key="review",
        # NOTE: The review of everything entered. TikTok's words: "detail bisnis",
        # "informasi penagihan"; billing info matters for top-ups, withdrawals and invoices.
        text=N_(
            "<b>Check your details</b>\n"
            "\n"
            "<b>{business_title}</b>\n"
            "{business}\n"
            "\n"
            "<b>{billing_title}</b>\n"
            "{billing}\n"
            "\n"
            "Billing information is essential for top-ups, withdrawals and invoices. Please "
            "confirm every detail again to make sure it is correct; later changes to billing "
            "information must follow TikTok Ads Manager's policies."
        ),
        params={
            "business_title": Msg(fields.SECTION_LABELS["business"]),
            "business": _lines(data, "business"),
            "billing_title": Msg(fields.SECTION_LABELS["billing"]),
            "billing": _lines(data, "billing"),
        },
        buttons=(*rows, (Button(N_("Everything is correct"), action="rev:confirm"),)),
    )


def confirm_screen(data: Mapping[str, Any]) -> Screen:
    values = data.get("fields", {})
    immutable = [
        Msg(
            N_("{label}: {value}"),
            {
                "label": Msg(spec.label),
                "value": _shown(spec.key, spec.fixed or values.get(spec.key, "")),
            },
        )
        for spec in fields.FIELDS
        if spec.immutable
    ]
    return Screen(
        key="confirm",
        text=N_(
            "⚠️ <b>Before you submit</b>\n"
            "\n"
            "After the account is created, these can't be changed:\n"
            "{immutable}\n"
            "\n"
            "After you submit the billing information you can't place Promote orders until the "
            "integration is finished, usually only a few minutes."
        ),
        params={"immutable": immutable},
        buttons=(
            (Button(N_("Submit"), action="rev:submit"),),
            (Button(N_("Back to review"), action="rev:review"),),
        ),
    )
