"""The "what Studio understood" line under the prompt, in the interface's language.

It says what the scene plan says (`ScenePlan.summary` is the same line in plain
English for the command line and the logs): the place, indoors or out, the time,
the weather, then each actor and what it does, to whom, from where. Every word is
a `tr` key, so a Japanese interface reads 「部屋、屋内、昼；猫：窓から飛び降りる」
rather than English words; only names (bible characters) and the user's own
unknown words stay as written.
"""

from __future__ import annotations

from studio.domain.scene_plan import PlanAction, PlanActor, ScenePlan
from studio.ui.i18n import language, tr


def _places() -> dict[str, str]:
    return {
        "kitchen": tr("kitchen"), "classroom": tr("classroom"), "cafe": tr("cafe"), "library": tr("library"),
        "office": tr("office"), "bedroom": tr("bedroom"), "room": tr("room"), "station": tr("station"),
        "street": tr("street"), "beach": tr("beach"), "forest": tr("forest"), "park": tr("park"),
        "mountain": tr("mountain"), "city": tr("city"), "university": tr("university"),
    }


def _words() -> dict[str, str]:
    """Nouns, colours, looks, set pieces, times and weather."""
    return {
        # actors
        "cat": tr("cat"), "dog": tr("dog"), "bird": tr("bird"), "ball": tr("ball"), "cup": tr("cup"),
        "glass": tr("glass"), "umbrella": tr("umbrella"), "door": tr("door"), "window": tr("window"), "car": tr("car"),
        "book": tr("book"), "man": tr("man"), "woman": tr("woman"), "person": tr("person"),
        # set pieces an actor comes from or lands on
        "floor": tr("floor"), "table": tr("table"), "sofa": tr("sofa"), "desk": tr("desk"), "bed": tr("bed"), "hands": tr("hands"),
        # colours and looks
        "red": tr("red"), "blue": tr("blue"), "green": tr("green"), "yellow": tr("yellow"), "black": tr("black"),
        "white": tr("white"), "brown": tr("brown"), "grey": tr("grey"), "orange": tr("orange"), "blonde": tr("blonde"),
        "pink": tr("pink"), "long": tr("long"), "short": tr("short"), "small": tr("small"), "big": tr("big"),
        "hair": tr("hair"), "black hair": tr("black hair"), "brown hair": tr("brown hair"),
        "blonde hair": tr("blonde hair"), "red hair": tr("red hair"), "grey hair": tr("grey hair"),
        # floors
        "wood": tr("wood"), "tile": tr("tile"), "carpet": tr("carpet"),
        # time of day and weather
        "morning": tr("morning"), "day": tr("day"), "evening": tr("evening"), "night": tr("night"),
        "rain": tr("rain"), "snow": tr("snow"), "fog": tr("fog"), "wind": tr("wind"), "overcast": tr("overcast"),
    }


def _verbs() -> dict[str, tuple[str, str]]:
    """action -> (without a target, with one: "{what}" is the target)."""
    return {
        "walk": (tr("walk"), tr("walk {what}")),
        "run": (tr("run"), tr("chase {what}")),
        "jump_down": (tr("jump down"), tr("jump down onto {what}")),
        "jump": (tr("jump"), tr("jump over {what}")),
        "fall": (tr("fall"), tr("fall on {what}")),
        "bounce": (tr("bounce"), tr("bounce off {what}")),
        "break": (tr("break"), tr("break {what}")),
        "open": (tr("open"), tr("open {what}")),
        "close": (tr("close"), tr("close {what}")),
        "give": (tr("give"), tr("give {what}")),
        "sit": (tr("sit"), tr("sit at {what}")),
        "sleep": (tr("sleep"), tr("sleep on {what}")),
        "read": (tr("read"), tr("read {what}")),
        "wave": (tr("wave"), tr("wave at {what}")),
        "dance": (tr("dance"), tr("dance with {what}")),
        "drive": (tr("drive"), tr("drive {what}")),
        "fly": (tr("fly"), tr("fly to {what}")),
        "fly_off": (tr("fly off"), tr("fly off {what}")),
        "roll": (tr("roll"), tr("roll {what}")),
        "hold": (tr("hold"), tr("hold {what}")),
        "kick": (tr("kick"), tr("kick {what}")),
        "throw": (tr("throw"), tr("throw {what}")),
        "catch": (tr("catch"), tr("catch {what}")),
        "push": (tr("push"), tr("push {what}")),
        "pick_up": (tr("pick up"), tr("pick up {what}")),
        "drop": (tr("drop"), tr("drop {what}")),
        "put_down": (tr("put down"), tr("put down {what}")),
        "hit": (tr("hit"), tr("hit {what}")),
        "look": (tr("look"), tr("look at {what}")),
        "wait": (tr("wait"), tr("wait for {what}")),
    }


def understood_line(plan: ScenePlan) -> str:
    """The plan in the interface's language (plain text; the unknown words are not in it)."""
    ja = language() == "ja"
    words = _words()
    sep, comma, colon = ("；", "、", "：") if ja else ("; ", ", ", ": ")
    where = _places().get(plan.place, plan.place) if plan.place else tr("unspecified place")
    if plan.floor:
        where = tr("{place} ({floor} floor)", place=where, floor=words.get(plan.floor, plan.floor))
    head = [where, tr("indoors") if plan.indoor else tr("outdoors"), words.get(plan.time_of_day, plan.time_of_day)]
    if plan.weather != "clear":
        head.append(words.get(plan.weather, plan.weather))
    parts = [comma.join(head)]
    names = {a.key: a.name or words.get(a.noun, a.noun) for a in plan.actors}
    for a in plan.actors:
        did = [_action(act, names, words, ja) for act in a.actions]
        parts.append(_who(a, words, ja) + (colon + comma.join(did) if did else ""))
    return sep.join(parts)


def _who(a: PlanActor, words: dict[str, str], ja: bool) -> str:
    space = "" if ja else " "
    if a.name:
        who = a.name
    else:
        who = space.join(words.get(w, w) for w in (*a.colours, a.noun))
    if a.look:
        looks = [_look(phrase, words, space) for phrase in a.look]
        who += ("（" + "、".join(looks) + "）") if ja else (" (" + ", ".join(looks) + ")")
    return who


def _look(phrase: str, words: dict[str, str], space: str) -> str:
    """"long black hair" -> 長い黒髪: a colour and "hair" read as one word where the language has one."""
    parts = phrase.split()
    if len(parts) >= 2 and " ".join(parts[-2:]) in words:
        parts = [*parts[:-2], " ".join(parts[-2:])]
    return space.join(words.get(w, w) for w in parts)


def _action(act: PlanAction, names: dict[str, str], words: dict[str, str], ja: bool) -> str:
    def name(key: str) -> str:
        return names.get(key) or words.get(key, key)

    plain, with_target = _verbs().get(act.verb, (act.verb.replace("_", " "), act.verb.replace("_", " ") + " {what}"))
    verb = with_target.format(what=name(act.target)) if act.target else plain
    roles = []
    if act.recipient:
        roles.append(tr("to {who}", who=name(act.recipient)))
    if act.source:
        roles.append(tr("from {where}", where=name(act.source)))
    if act.onto:
        roles.append(tr("on {where}", where=name(act.onto)))
    # Japanese puts where from, to whom and where before the verb (窓から飛び降りる); English after it.
    return "".join(roles) + verb if ja else " ".join([verb, *roles])


__all__ = ["understood_line"]
