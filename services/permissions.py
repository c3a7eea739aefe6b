"""Who may do what: one permission model for the chat and the web (Mini App, HTTP API).

Roles come from `services.identity.Identity` (admin, staff, a unit's contact or principal);
the chat's guards (`bot.access`) and the web's routes ask the same predicates.
"""

from __future__ import annotations

from collections.abc import Callable

from ledger.vocab import ContactRole
from services.identity import Identity

Permission = Callable[[Identity], bool]


# One predicate per row of README's "Who can do what".
def anyone(_identity: Identity) -> bool:
    return True


def known(identity: Identity) -> bool:
    return identity.known


def bound(identity: Identity) -> bool:
    return bool(identity.bindings)


def contact(identity: Identity) -> bool:
    return identity.is_contact


def principal(identity: Identity) -> bool:
    return identity.is_principal


def staff(identity: Identity) -> bool:
    return identity.is_staff


def admin(identity: Identity) -> bool:
    return identity.is_admin


def visible_units(identity: Identity) -> set[int] | None:
    """The units whose ledger `identity` may read: None means all (staff); else its own."""
    if identity.is_staff:
        return None
    return {b.unit_id for b in identity.bindings}


def may_see_unit(identity: Identity, unit_id: int) -> bool:
    units = visible_units(identity)
    return units is None or unit_id in units


def reports_for(identity: Identity) -> set[int]:
    """The units `identity` reports for (as their 填报人)."""
    return {b.unit_id for b in identity.units(ContactRole.CONTACT)}


def reviews_for(identity: Identity) -> set[int]:
    """The units whose entries `identity` approves or returns (审定, as their principal)."""
    return {b.unit_id for b in identity.units(ContactRole.PRINCIPAL)}
