# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which app of the fleet each gateway gets, when the fleet's redirect URIs do not fit in one app. Pure logic.

An app registration holds at most 256 redirect URIs (100 when personal Microsoft accounts may sign in), every platform
counted together. A fleet whose gateways need more is spread over the apps ``<unique_name>``, ``<unique_name>-2``,
``<unique_name>-3``, ... (the "shards"). The assignment is stable, in this order:

1. a gateway registered to an app of the fleet stays with it;
2. a gateway whose redirect URIs an app of the fleet already holds stays with that app (the first one);
3. every other gateway goes to the first app, in order, whose URIs it still fits in; a new app is planned only when
   none has room.

A gateway kept by rule 1 or 2 whose app has no room for it (its URIs were removed meanwhile and the app filled up)
is placed by rule 3. Desktop-mode gateways all need the same ``https://localhost:6516`` and ``http://localhost:6516``,
so they cost an app that has them nothing. The extra redirect URIs of the role go to the first app.

Counting follows Entra: the URIs of spa, web and publicClient together, after the write (in ``exclusive`` mode an
app's spa list becomes exactly its gateways' URIs; in ``additive`` mode nothing is removed).
"""

from __future__ import annotations

import dataclasses
import re

from ansible_collections.wac.fleet.plugins.plugin_utils._entra_app_state import (
    DesiredApp,
    plan_redirect_uris,
    redirect_uri_limit,
)
from ansible_collections.wac.fleet.plugins.plugin_utils._validate import InputError

FLEET_TAG_PREFIX = "wac.fleet:fleet:"  # every app of a fleet carries "wac.fleet:fleet:<unique_name>"


def fleet_tag(unique_name: str) -> str:
    return f"{FLEET_TAG_PREFIX}{unique_name}"


def shard_name(unique_name: str, index: int) -> str:
    """The unique name (and display-name suffix) of the fleet's ``index``-th app: 1 is the unique name itself."""
    return unique_name if index == 1 else f"{unique_name}-{index}"


def shard_index(unique_name: str, name: str | None) -> int | None:
    """The index of an app of the fleet from its unique name, or None when the name is not of the fleet's form."""
    if name == unique_name:
        return 1
    match = re.fullmatch(re.escape(unique_name) + r"-([1-9][0-9]{0,3})", name or "")
    if match and int(match[1]) >= 2:
        return int(match[1])
    return None


@dataclasses.dataclass(frozen=True)
class Gateway:
    name: str
    redirect_uris: tuple[str, ...]
    registered_app_id: str | None = None


@dataclasses.dataclass
class _Slot:
    """One app while the plan is made: its URIs after the write, and the gateways it got."""

    index: int
    limit: int
    spa: list  # spa URIs after the write (kept + added), in order
    others: int  # URIs on the other platforms after the write
    present: frozenset  # every URI the app holds now, any platform
    app_id: str | None
    gateways: list = dataclasses.field(default_factory=list)
    wanted: list = dataclasses.field(default_factory=list)  # the URIs the task asks this app for, in order
    # sets of spa and wanted, kept with them: a check costs the gateway's few URIs, not the app's hundreds
    _spa_set: set = dataclasses.field(default_factory=set)
    _wanted_set: set = dataclasses.field(default_factory=set)

    def __post_init__(self) -> None:
        self._spa_set = set(self.spa)
        self._wanted_set = set(self.wanted)

    @property
    def count(self) -> int:
        return len(self.spa) + self.others

    def new_uris(self, uris) -> list[str]:
        return [u for u in dict.fromkeys(uris) if u not in self._spa_set]

    def fits(self, uris) -> bool:
        return self.count + len(self.new_uris(uris)) <= self.limit

    def take(self, uris, gateway: str | None = None) -> None:
        added = self.new_uris(uris)
        self.spa += added
        self._spa_set.update(added)
        wanted = [u for u in dict.fromkeys(uris) if u not in self._wanted_set]
        self.wanted += wanted
        self._wanted_set.update(wanted)
        if gateway is not None:
            self.gateways.append(gateway)


@dataclasses.dataclass
class ShardPlan:
    apps: dict  # index -> {"redirect_uris": [...wanted], "gateways": [names], "count": int, "limit": int}
    gateways: dict  # gateway name -> index
    new: list  # indexes of apps the plan needs that do not exist yet

    def uris_of(self, index: int) -> list[str]:
        return self.apps[index]["redirect_uris"]


def _slot(index: int, app: dict | None, desired: DesiredApp) -> _Slot:
    app = app or {}
    spa = list(((app.get("spa") or {}).get("redirectUris")) or [])
    web = list(((app.get("web") or {}).get("redirectUris")) or [])
    public = list(((app.get("publicClient") or {}).get("redirectUris")) or [])
    keep = dataclasses.replace(desired, redirect_uris=())  # what stays when the task asks for nothing more
    kept_spa, kept_web, _added, _removed = plan_redirect_uris(spa, web, keep)
    limit = redirect_uri_limit(desired.sign_in_audience or app.get("signInAudience"))
    return _Slot(index, limit, kept_spa, len(kept_web) + len(public), frozenset(spa + web + public),
                 app.get("appId"))


def plan_shards(apps: dict, gateways: list[Gateway], desired: DesiredApp, *, extra_uris=(), taken=(),
                max_apps: int = 20, unique_name: str = "") -> ShardPlan:
    """Assign every gateway to an app of the fleet.

    ``apps``: index -> the app as read (None or missing: it does not exist); ``desired``: what every app gets (mode,
    Web-to-SPA move, sign-in audience); ``taken``: indexes whose unique name another app (not of this fleet) uses.
    An InputError names what cannot fit.
    """
    slots = {index: _slot(index, app, desired) for index, app in sorted(apps.items()) if app is not None}
    new: list[int] = []
    if 1 not in slots:  # the fleet's first app always exists (as the one shared app of a small fleet does)
        slots[1] = _slot(1, None, desired)
        new.append(1)
    taken = set(taken)
    by_app_id = {s.app_id.lower(): s for s in slots.values() if s.app_id}

    first = slots[1]
    if extra_uris:
        if not first.fits(extra_uris):
            raise InputError(f"the extra redirect URIs ({len(first.new_uris(extra_uris))} new) do not fit in the app "
                             f"{shard_name(unique_name, 1)!r}, which holds {first.count} of at most {first.limit}")
        first.take(extra_uris)
    for slot in slots.values():
        if slot.count > slot.limit:
            raise InputError(
                f"the app {shard_name(unique_name, slot.index)!r} holds {slot.count} redirect URIs that this task "
                f"keeps, more than the {slot.limit} its sign-in audience allows: remove URIs (redirect_uris_mode: "
                "exclusive removes those of no gateway) or keep the audience")

    placed: dict[str, int] = {}
    rest = []
    for gateway in gateways:  # 1. stays with the app it is registered to
        slot = by_app_id.get((gateway.registered_app_id or "").lower())
        if slot is not None and slot.fits(gateway.redirect_uris):
            slot.take(gateway.redirect_uris, gateway.name)
            placed[gateway.name] = slot.index
        else:
            rest.append(gateway)
    unplaced = []
    ordered = [slot for _i, slot in sorted(slots.items())]
    for gateway in rest:  # 2. stays with the first app that already holds its URIs
        uris = set(gateway.redirect_uris)
        slot = next((s for s in ordered if uris and uris <= s.present), None)
        if slot is not None and slot.fits(gateway.redirect_uris):
            slot.take(gateway.redirect_uris, gateway.name)
            placed[gateway.name] = slot.index
        else:
            unplaced.append(gateway)
    for gateway in unplaced:  # 3. fills the apps in order; a new app only when none has room
        slot = next((s for s in ordered if s.fits(gateway.redirect_uris)), None)
        if slot is None:
            index = next(i for i in range(1, 10_000) if i not in slots and i not in taken)
            if len(slots) + 1 > max_apps:
                raise InputError(f"the fleet needs more than max_apps={max_apps} apps for its redirect URIs "
                                 f"({len(gateways)} gateways, at most {first.limit} URIs an app)")
            slot = slots[index] = _slot(index, None, desired)
            ordered = [s for _i, s in sorted(slots.items())]
            new.append(index)
            if not slot.fits(gateway.redirect_uris):
                raise InputError(f"gateway {gateway.name}: its {len(gateway.redirect_uris)} redirect URIs do not fit "
                                 f"in one app (at most {slot.limit})")
        slot.take(gateway.redirect_uris, gateway.name)
        placed[gateway.name] = slot.index

    result = {index: {"redirect_uris": slot.wanted, "gateways": slot.gateways, "count": slot.count,
                      "limit": slot.limit} for index, slot in sorted(slots.items())}
    return ShardPlan(result, placed, new)
