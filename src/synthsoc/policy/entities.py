"""OpenFisca entities: persons, resident-registration households (가구) and benefit units.

A benefit unit (``family``) is the unit the tax and benefit laws look at: an applicant, a spouse
and dependants (children under 18, parents of 70 and over). One synthsoc household holds one or
more units: the head's, and one per other adult who is nobody's spouse or dependant.
"""

from __future__ import annotations

from openfisca_core.entities import build_entity

Person = build_entity(key="person", plural="persons", label="개인", is_person=True)

Household = build_entity(
    key="household",
    plural="households",
    label="가구 (주민등록 세대)",
    roles=[
        {"key": "head", "label": "세대주", "max": 1},
        {"key": "member", "plural": "members", "label": "세대원"},
    ],
)

Family = build_entity(
    key="family",
    plural="families",
    label="급여 단위 (신청인, 배우자, 부양가족)",
    roles=[
        {"key": "applicant", "label": "신청인", "max": 1},
        {"key": "spouse", "label": "배우자", "max": 1},
        {"key": "dependant", "plural": "dependants", "label": "부양가족"},
    ],
)

ENTITIES = [Person, Household, Family]
