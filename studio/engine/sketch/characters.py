"""Characters: a look read from the story bible, and a flat figure drawn from a pose.

The look comes from the character's ``look`` text (colour and clothing words in
English and Japanese) and, for whatever the text leaves open, from a hash of the
character's id — never from a shot's seed — so a character looks the same in
every shot.

A figure is drawn from a `Pose` with forward kinematics in figure units (height 1,
feet at y = 0, y down), then scaled and placed on screen. Side view (walking,
running) swings the limbs in the picture plane; front view (standing, sitting,
waving) spreads them sideways.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field

import cv2
import numpy as np

from studio.domain.model import Character
from studio.engine.sketch.layers import SHIFT, fixed, fixed_poly
from studio.engine.sketch.palette import RGB, Palette, hex_rgb, mix, scale

# --------------------------------------------------------------------------- the look

COLOUR_WORDS: list[tuple[str, RGB, tuple[str, ...]]] = [
    ("light blue", hex_rgb("8cc3ea"), ("light blue", "sky blue", "水色")),
    ("navy", hex_rgb("2c3a66"), ("navy", "dark blue", "紺", "ネイビー")),
    ("red", hex_rgb("d64541"), ("red", "crimson", "scarlet", "赤", "紅")),
    ("blue", hex_rgb("3b6fd1"), ("blue", "青")),
    ("green", hex_rgb("3e9b5f"), ("green", "olive", "緑", "グリーン")),
    ("yellow", hex_rgb("f2c53d"), ("yellow", "mustard", "黄", "イエロー")),
    # "dark" alone is black: "long dark hair" is dark, never the blonde a missing word would leave it.
    ("black", hex_rgb("2a2a30"), ("black", "dark", "jet", "黒", "ブラック")),
    ("white", hex_rgb("f1f0ea"), ("white", "cream", "白", "ホワイト")),
    ("brown", hex_rgb("8b5a3c"), ("brown", "chestnut", "茶", "ブラウン")),
    ("pink", hex_rgb("ef8fb1"), ("pink", "ピンク", "桃色")),
    ("grey", hex_rgb("8f949b"), ("grey", "gray", "silver", "灰", "グレー", "銀")),
    ("purple", hex_rgb("7f56b8"), ("purple", "violet", "lavender", "紫", "パープル")),
    ("orange", hex_rgb("f08a36"), ("orange", "オレンジ", "橙")),
    ("beige", hex_rgb("d8c29e"), ("beige", "khaki", "tan", "ベージュ")),
    ("blonde", hex_rgb("e6c27a"), ("blonde", "blond", "golden", "金")),
]

# Hair has its own shades of the common colour words.
HAIR_SHADES: dict[str, RGB] = {
    "black": hex_rgb("24201f"), "brown": hex_rgb("6b4430"), "blonde": hex_rgb("e0bb6e"),
    "red": hex_rgb("b4472c"), "grey": hex_rgb("a9a9ad"), "white": hex_rgb("e6e4df"),
    "orange": hex_rgb("c8652e"), "navy": hex_rgb("252c4a"), "beige": hex_rgb("cfae7c"),
}

SLOT_WORDS: dict[str, tuple[str, ...]] = {
    "hair": ("hair", "ponytail", "bob", "bun", "髪", "ヘア", "ポニーテール"),
    "top": ("shirt", "t-shirt", "tee", "blouse", "jacket", "coat", "raincoat", "レインコート", "sweater", "jumper", "hoodie", "cardigan",
            "top", "dress", "uniform", "blazer", "suit", "vest", "parka", "シャツ", "ブラウス", "ジャケット", "コート",
            "セーター", "パーカー", "カーディガン", "ワンピース", "ドレス", "制服", "スーツ", "ブレザー"),
    "bottom": ("skirt", "pants", "trousers", "jeans", "shorts", "スカート", "ズボン", "パンツ", "ジーンズ", "短パン"),
    "shoes": ("shoes", "sneakers", "boots", "sandals", "靴", "スニーカー", "ブーツ"),
    "hat": ("hat", "cap", "beanie", "帽子", "キャップ"),
    "bag": ("backpack", "rucksack", "bag", "satchel", "リュック", "カバン", "鞄", "バッグ", "ランドセル"),
    "scarf": ("scarf", "muffler", "マフラー", "スカーフ"),
    "glasses": ("glasses", "spectacles", "眼鏡", "メガネ", "めがね"),
}

TOP_KINDS = [("coat", ("coat", "raincoat", "parka", "trench", "コート", "レインコート")), ("dress", ("dress", "ワンピース", "ドレス")),
             ("jacket", ("jacket", "blazer", "suit", "ジャケット", "スーツ", "ブレザー", "制服", "uniform")),
             ("hoodie", ("hoodie", "パーカー"))]
BOTTOM_KINDS = [("skirt", ("skirt", "スカート")), ("shorts", ("shorts", "短パン"))]
HAIR_STYLES = [("ponytail", ("ponytail", "pony tail", "ポニーテール", "ポニテ")), ("bun", ("bun", "お団子", "団子")),
               ("bob", ("bob", "ボブ")), ("buzz", ("bald", "buzz", "shaved", "坊主", "スキンヘッド")),
               ("curly", ("curly", "afro", "くせ毛", "カール", "パーマ"))]
LONG_WORDS = ("long", "長い", "長", "ロング")
SHORT_WORDS = ("short", "短い", "短", "ショート")

SKIN_TONES = [hex_rgb(c) for c in ("f6d2b8", "eec1a0", "d9a27e", "b97c57", "8d5a3b", "f1c9a5")]
DEFAULT_TOPS = [hex_rgb(c) for c in ("e4572e", "2f6fb0", "3c9d6d", "f2b134", "8e5cb5", "e86a92", "2a9d8f", "d1495b", "5c7cfa", "f08a4b")]
DEFAULT_BOTTOMS = [hex_rgb(c) for c in ("2e3347", "3d4f6e", "5b4636", "40434a", "6b705c", "283655")]
DEFAULT_HAIR = [HAIR_SHADES[k] for k in ("black", "brown", "black", "brown", "blonde", "red")]


@dataclass(frozen=True)
class CharacterLook:
    """Everything that makes a character recognisable, as design colours and shapes."""

    skin: RGB
    hair: RGB
    hair_style: str
    """short, long, bob, ponytail, bun, buzz, curly"""
    top: RGB
    top_kind: str
    """shirt, jacket, coat, dress, hoodie"""
    bottom: RGB
    bottom_kind: str
    """trousers, skirt, shorts"""
    shoes: RGB
    height: float = 1.0
    """Relative to an adult; children are about 0.72."""
    child: bool = False
    glasses: bool = False
    hat: RGB | None = None
    bag: RGB | None = None
    scarf: RGB | None = None


def _is_ascii(word: str) -> bool:
    return all(ord(ch) < 128 for ch in word)


def _find_all(text: str, words: tuple[str, ...]) -> list[tuple[int, int, str]]:
    """(start, end, word) for each occurrence; English words only on word boundaries."""
    out: list[tuple[int, int, str]] = []
    for w in words:
        if _is_ascii(w):
            pattern = r"(?<![a-z])" + re.escape(w) + r"(?![a-z])"
        else:
            pattern = re.escape(w)
        out.extend((m.start(), m.end(), w) for m in re.finditer(pattern, text))
    return sorted(out)


def _digest(character_id: str) -> bytes:
    return hashlib.sha256(("studio-sketch-look:" + character_id).encode("utf-8")).digest()


def parse_look(look: str, character_id: str) -> CharacterLook:
    """Read a look description; the character id's hash fills in the rest."""
    text = look.lower()
    h = _digest(character_id)

    colours: list[tuple[int, int, str, RGB]] = []
    for name, rgb, words in COLOUR_WORDS:
        for start, end, _ in _find_all(text, words):
            # "light blue" also contains "blue": keep only the longest match at a place.
            if not any(s <= start < e for s, e, _, _ in colours):
                colours.append((start, end, name, rgb))
    colours.sort()
    slots: list[tuple[int, int, str]] = []
    for slot, words in SLOT_WORDS.items():
        slots.extend((s, e, slot) for s, e, _ in _find_all(text, words))
    slots.sort()

    assigned: dict[str, tuple[str, RGB]] = {}
    loose: list[tuple[str, RGB]] = []
    for start, end, name, rgb in colours:
        # A colour belongs to the next garment word ("red coat", "赤いコート", "黒髪"),
        # else to one just before it ("hair: black").
        after = [s for s in slots if s[0] >= end and s[0] - end <= 14]
        before = [s for s in slots if s[1] <= start and start - s[1] <= 6]
        slot = after[0][2] if after else (before[-1][2] if before else None)
        if slot and slot != "glasses" and slot not in assigned:
            assigned[slot] = (name, rgb)
        elif slot is None:
            loose.append((name, rgb))
    # Colours with no garment word dress the top first, then the bottom.
    for target in ("top", "bottom"):
        if target not in assigned and loose:
            assigned[target] = loose.pop(0)

    def has(slot: str) -> bool:
        return any(s[2] == slot for s in slots)

    def near_hair(words: tuple[str, ...]) -> bool:
        hair_at = [s for s in slots if s[2] == "hair"]
        for s, e, _ in _find_all(text, words):
            if any(0 <= hs - e <= 12 or 0 <= s - he <= 6 for hs, he, _ in hair_at):
                return True
        return False

    top_kind = next((k for k, words in TOP_KINDS if _find_all(text, words)), "shirt")
    bottom_kind = "skirt" if top_kind == "dress" else next((k for k, words in BOTTOM_KINDS if _find_all(text, words)), "trousers")
    hair_style = next((k for k, words in HAIR_STYLES if _find_all(text, words)), None)
    if hair_style is None:
        if near_hair(LONG_WORDS) or "長髪" in text or "ロングヘア" in text:
            hair_style = "long"
        elif near_hair(SHORT_WORDS) or "短髪" in text or "ショートヘア" in text:
            hair_style = "short"
        else:
            hair_style = ("short", "bob", "long", "ponytail", "short", "curly")[h[0] % 6]

    top = assigned.get("top", (None, DEFAULT_TOPS[h[1] % len(DEFAULT_TOPS)]))[1]
    bottom = top if top_kind == "dress" and "bottom" not in assigned else assigned.get("bottom", (None, DEFAULT_BOTTOMS[h[2] % len(DEFAULT_BOTTOMS)]))[1]
    if "hair" in assigned:
        name, rgb = assigned["hair"]
        hair = HAIR_SHADES.get(name, rgb)
    else:
        hair = DEFAULT_HAIR[h[3] % len(DEFAULT_HAIR)]
    shoes = assigned.get("shoes", (None, hex_rgb("3a3430") if h[4] % 3 else hex_rgb("f0efe9")))[1]

    child = bool(_find_all(text, ("child", "kid", "little", "子供", "子ども", "小学生", "幼い")))
    height = 0.72 if child else 1.0
    if _find_all(text, ("tall", "背が高い", "長身", "高身長")):
        height *= 1.07
    elif _find_all(text, ("small", "petite", "小柄", "背が低い")):
        height *= 0.93
    else:
        height *= 0.97 + (h[5] % 7) / 100.0

    def accessory(slot: str, default: RGB) -> RGB | None:
        if not has(slot):
            return None
        return assigned.get(slot, (None, default))[1]

    bag = accessory("bag", DEFAULT_TOPS[(h[6] + 3) % len(DEFAULT_TOPS)])
    return CharacterLook(
        skin=SKIN_TONES[h[7] % len(SKIN_TONES)],
        hair=hair,
        hair_style=hair_style,
        top=top,
        top_kind=top_kind,
        bottom=bottom,
        bottom_kind=bottom_kind,
        shoes=shoes,
        height=height,
        child=child,
        glasses=has("glasses"),
        hat=accessory("hat", DEFAULT_BOTTOMS[h[8] % len(DEFAULT_BOTTOMS)]),
        bag=scale(bag, 0.9) if bag and bag == top else bag,
        scarf=accessory("scarf", hex_rgb("d64541")),
    )


def look_for(character: Character) -> CharacterLook:
    """The look of a story-bible character: the same in every shot."""
    return parse_look(character.look, character.id)


GENERIC_LOOK = parse_look("", "studio-generic-figure")
"""Who appears when the prompt has a person doing something but the bible has no one."""


# --------------------------------------------------------------------------- pose


@dataclass
class Pose:
    """A figure's pose at one frame.

    Angles are radians. Limb angles are 0 pointing down; in side view positive
    swings forward (toward ``facing``), in front view positive swings outward.
    ``knee``/``elbow`` are bends (positive folds the shin back, the forearm forward).
    """

    x: float
    """Rest-coordinate x of the feet on the character's plane."""
    facing: int = 0
    """1 right, -1 left, 0 toward the camera."""
    hip: tuple[float, float] = (0.0, 0.0)
    knee: tuple[float, float] = (0.0, 0.0)
    shoulder: tuple[float, float] = (0.08, 0.08)
    elbow: tuple[float, float] = (0.15, 0.15)
    lean: float = 0.0
    lift: float = 0.0
    """Height of the feet above the ground (jumps), figure units."""
    tip: float = 0.0
    """Whole-body rotation about the feet (a fall), radians; positive tips toward +x."""
    sit: float = 0.0
    """0 standing .. 1 seated on a chair (hips at seat height)."""
    head_tilt: float = 0.0
    sway: float = 0.0
    """Sideways hip shift (dance), figure units."""
    hair_swing: float = 0.0


@dataclass
class _Rig:
    """Figure-unit proportions for one look."""

    thigh: float
    shin: float
    torso: float
    upper_arm: float
    forearm: float
    head_r: float
    leg_w: float
    arm_w: float
    torso_w: float
    seat_h: float = 0.25
    extra: dict = field(default_factory=dict)


def _rig(look: CharacterLook) -> _Rig:
    if look.child:
        return _Rig(thigh=0.21, shin=0.2, torso=0.29, upper_arm=0.155, forearm=0.145, head_r=0.1,
                    leg_w=0.072, arm_w=0.056, torso_w=0.21)
    return _Rig(thigh=0.24, shin=0.23, torso=0.3, upper_arm=0.165, forearm=0.155, head_r=0.082,
                leg_w=0.064, arm_w=0.048, torso_w=0.185)


def leg_drop(pose: Pose, look: CharacterLook) -> float:
    """How far below the hips the lowest foot is, figure units (the hips' height when standing)."""
    r = _rig(look)
    drops = []
    for hip, knee in zip(pose.hip, pose.knee):
        drops.append(r.thigh * math.cos(hip) + r.shin * math.cos(hip - knee))
    return max(drops) + 0.012


def foot_offsets(pose: Pose, look: CharacterLook) -> tuple[float, float]:
    """Horizontal foot positions relative to the hips, figure units (side view), left then right."""
    r = _rig(look)
    f = pose.facing or 1
    return tuple(f * (r.thigh * math.sin(h) + r.shin * math.sin(h - k)) for h, k in zip(pose.hip, pose.knee))  # type: ignore[return-value]


# --------------------------------------------------------------------------- drawing


class _Pen:
    """Draws figure-unit shapes on a frame: maps local points through scale, tip and position."""

    def __init__(self, frame: np.ndarray, base: tuple[float, float], size: float, tip: float, pivot: tuple[float, float]) -> None:
        self.frame = frame
        self.bx, self.by = base
        self.size = size
        self.ct, self.st = math.cos(tip), math.sin(tip)
        self.px, self.py = pivot

    def pt(self, p: tuple[float, float]) -> tuple[float, float]:
        # Rotate about the pivot (the feet) so a fall tips the whole body.
        x, y = p[0] - self.px, p[1] - self.py
        x, y = x * self.ct - y * self.st, x * self.st + y * self.ct
        return self.bx + (x + self.px) * self.size, self.by + (y + self.py) * self.size

    def limb(self, a, b, width: float, color) -> None:
        """A capsule (round-capped stroke) with an exact, fractional width."""
        pa, pb = self.pt(a), self.pt(b)
        r = width * self.size / 2
        dx, dy = pb[0] - pa[0], pb[1] - pa[1]
        n = math.hypot(dx, dy)
        rr = max(1, int(round(r * (1 << SHIFT))))
        cv2.circle(self.frame, fixed(pa), rr, color, -1, cv2.LINE_AA, SHIFT)
        cv2.circle(self.frame, fixed(pb), rr, color, -1, cv2.LINE_AA, SHIFT)
        if n > 1e-6:
            nx, ny = -dy / n * r, dx / n * r
            quad = [(pa[0] + nx, pa[1] + ny), (pb[0] + nx, pb[1] + ny), (pb[0] - nx, pb[1] - ny), (pa[0] - nx, pa[1] - ny)]
            cv2.fillPoly(self.frame, [fixed_poly(quad)], color, cv2.LINE_AA, SHIFT)

    def arc(self, c, axes, a0: float, a1: float, color, width: float) -> None:
        ax = (max(0.5, axes[0] * self.size), max(0.5, axes[1] * self.size))
        tip_deg = math.degrees(math.atan2(self.st, self.ct))
        cv2.ellipse(self.frame, fixed(self.pt(c)), fixed(ax), tip_deg, a0, a1, color,
                    max(1, int(round(width * self.size))), cv2.LINE_AA, SHIFT)

    def poly(self, pts, color) -> None:
        cv2.fillPoly(self.frame, [fixed_poly(self.pt(p) for p in pts)], color, cv2.LINE_AA, SHIFT)

    def circle(self, c, r: float, color) -> None:
        cv2.circle(self.frame, fixed(self.pt(c)), max(1, int(round(r * self.size * (1 << SHIFT)))), color, -1, cv2.LINE_AA, SHIFT)

    def ellipse(self, c, axes, angle_deg: float, color, arc=(0, 360)) -> None:
        ax = (max(0.5, axes[0] * self.size), max(0.5, axes[1] * self.size))
        tip_deg = math.degrees(math.atan2(self.st, self.ct))
        cv2.ellipse(self.frame, fixed(self.pt(c)), fixed(ax), angle_deg + tip_deg, arc[0], arc[1], color, -1, cv2.LINE_AA, SHIFT)

    def ring(self, c, r: float, color, width: float) -> None:
        cv2.circle(self.frame, fixed(self.pt(c)), max(1, int(round(r * self.size * (1 << SHIFT)))), color,
                   max(1, int(round(width * self.size))), cv2.LINE_AA, SHIFT)


def _dir(angle: float, facing: int, side: int) -> tuple[float, float]:
    """Unit vector of a limb at ``angle``; side view swings forward, front view outward."""
    if facing:
        return facing * math.sin(angle), math.cos(angle)
    return side * math.sin(angle), math.cos(angle)


@dataclass(frozen=True)
class Skeleton:
    """Joint positions of a pose in figure units: feet point at (0, 0), y down, before any tip."""

    hip_x: float
    hip_y: float
    shoulder: tuple[float, float]
    neck_top: tuple[float, float]
    head_c: tuple[float, float]
    w: float
    """Torso width."""
    legs: list
    """(hip, knee, foot) for the left then the right leg."""
    arms: list
    """(shoulder, elbow, hand) for the left then the right arm."""

    def hands(self) -> tuple[tuple[float, float], tuple[float, float]]:
        return self.arms[0][2], self.arms[1][2]

    def feet(self) -> tuple[tuple[float, float], tuple[float, float]]:
        return self.legs[0][2], self.legs[1][2]


def skeleton(pose: Pose, look: CharacterLook) -> Skeleton:
    """Where each joint of ``pose`` is (figure units); `draw_figure` draws exactly these, so a ball put
    at a hand or a foot from here touches it on screen."""
    r = _rig(look)
    f = pose.facing
    side_view = f != 0
    # Hips: as high as the lowest foot allows (plus any jump), or down on a seat.
    standing = -leg_drop(pose, look) - pose.lift
    hip_y = standing + (-r.seat_h - standing) * pose.sit
    hip_x = pose.sway
    lean = pose.lean
    fwd = f or 0
    shoulder = (hip_x + fwd * math.sin(lean) * r.torso, hip_y - math.cos(lean) * r.torso)
    neck_top = (shoulder[0] + fwd * math.sin(lean) * 0.03, shoulder[1] - 0.03)
    head_c = (neck_top[0] + fwd * 0.01 + math.sin(pose.head_tilt) * 0.02, neck_top[1] - r.head_r * 0.9)

    w = r.torso_w * (0.78 if side_view else 1.0)
    legs = []
    for k, side in ((0, -1), (1, 1)):
        if side_view:
            hx = hip_x
            d1 = _dir(pose.hip[k], f, side)
            knee = (hx + d1[0] * r.thigh, hip_y + d1[1] * r.thigh)
            d2 = _dir(pose.hip[k] - pose.knee[k], f, side)
            foot = (knee[0] + d2[0] * r.shin, knee[1] + d2[1] * r.shin)
        else:
            # Front view: thighs swinging toward the camera are foreshortened, and a
            # bent knee reads as the knee pushed outward.
            hx = hip_x + side * w * 0.26
            spread = side * (0.004 + 0.3 * r.thigh * math.sin(min(pose.knee[k], 1.6) / 2))
            knee = (hx + spread, hip_y + r.thigh * math.cos(pose.hip[k]))
            foot = (knee[0] - spread * 0.4, knee[1] + r.shin * math.cos(pose.hip[k] - pose.knee[k]))
        legs.append(((hx, hip_y), knee, foot))

    arm_x = w / 2 - r.arm_w * 0.45
    arms = []
    for k, side in ((0, -1), (1, 1)):
        sx = shoulder[0] + (0.0 if side_view else side * arm_x)
        sy = shoulder[1] + r.arm_w * 0.6
        d1 = _dir(pose.shoulder[k], f, side)
        elbow = (sx + d1[0] * r.upper_arm, sy + d1[1] * r.upper_arm)
        d2 = _dir(pose.shoulder[k] + pose.elbow[k], f, side)
        hand = (elbow[0] + d2[0] * r.forearm, elbow[1] + d2[1] * r.forearm)
        arms.append(((sx, sy), elbow, hand))
    return Skeleton(hip_x, hip_y, shoulder, neck_top, head_c, w, legs, arms)


def draw_figure(frame: np.ndarray, look: CharacterLook, pose: Pose, feet: tuple[float, float], height_px: float,
                palette: Palette) -> tuple[tuple[float, float], float] | None:
    """Draw one character on ``frame`` (H×W×3 uint8, in place).

    ``feet`` is the screen point on the ground under the character and
    ``height_px`` an adult's standing height there (the look's height scales it).
    Returns the head's screen centre and radius in pixels (where a cameo face goes),
    or None when the figure is too small to draw.
    """
    r = _rig(look)
    size = height_px * look.height
    if size < 6:
        return None
    c = palette.character
    skin, hair = c(look.skin), c(look.hair)
    top, bottom, shoes = c(look.top), c(look.bottom), c(look.shoes)

    def far(rgb: RGB) -> tuple[int, int, int]:
        # The far limbs sit in shade: the one cue that makes a flat figure read in depth.
        return c(scale(rgb, 0.8))

    f = pose.facing
    side_view = f != 0
    pen = _Pen(frame, feet, size, pose.tip, (0.0, -0.04 if pose.tip else 0.0))
    sk = skeleton(pose, look)
    hip_x, hip_y, shoulder, neck_top, head_c, w = sk.hip_x, sk.hip_y, sk.shoulder, sk.neck_top, sk.head_c, sk.w
    fwd = f or 0
    legs, arms = sk.legs, sk.arms

    # Facing right, the left limbs are the far ones; facing left, the right ones.
    far_k = 0 if f >= 0 else 1
    near_k = 1 - far_k
    covered_arms = look.top_kind in ("jacket", "coat", "hoodie")

    def draw_leg(k: int, shade: bool) -> None:
        hip, knee, foot = legs[k]
        cloth = far(look.bottom) if shade else bottom
        bare = far(look.skin) if shade else skin
        if look.bottom_kind == "trousers":
            pen.limb(hip, knee, r.leg_w, cloth)
            pen.limb(knee, foot, r.leg_w * 0.9, cloth)
        else:
            pen.limb(hip, knee, r.leg_w * 0.78, bare)
            pen.limb(knee, foot, r.leg_w * 0.7, bare)
            if look.bottom_kind == "shorts":
                mid = (hip[0] + (knee[0] - hip[0]) * 0.55, hip[1] + (knee[1] - hip[1]) * 0.55)
                pen.limb(hip, mid, r.leg_w * 1.06, cloth)
        shoe = far(look.shoes) if shade else shoes
        if side_view:
            pen.ellipse((foot[0] + f * 0.022, foot[1] - 0.006), (0.045, 0.019), 0, shoe)
        else:
            pen.ellipse((foot[0], foot[1] - 0.008), (0.026, 0.018), 0, shoe)

    def draw_arm(k: int, shade: bool) -> None:
        sh, elbow, hand = arms[k]
        sleeve = far(look.top) if shade else top
        pen.limb(sh, elbow, r.arm_w, sleeve)
        pen.limb(elbow, hand, r.arm_w * 0.88, sleeve if covered_arms else (far(look.skin) if shade else skin))
        pen.circle(hand, r.arm_w * 0.6, far(look.skin) if shade else skin)

    # Hair that falls behind the body, and a backpack seen from the side.
    if look.hair_style == "long":
        back = -fwd * r.head_r * 0.45
        hr = r.head_r
        pen.poly(_round_box(head_c[0] - hr * 1.0 + back + pose.hair_swing * 0.5, head_c[1] - hr * 0.2,
                            head_c[0] + hr * 1.0 + back + pose.hair_swing, head_c[1] + hr * 2.5, hr * 0.5), hair)
    if look.bag is not None and side_view:
        bx = shoulder[0] - fwd * (w * 0.5 + 0.028)
        pen.poly(_round_box(bx - 0.04, shoulder[1] + 0.015, bx + 0.04, shoulder[1] + 0.17, 0.018), c(look.bag))

    if side_view:
        draw_arm(far_k, True)
        draw_leg(far_k, True)
    else:
        draw_leg(0, False)
        draw_leg(1, False)

    # Hips and torso: a block for the trousers, a skirt that flares with the stride,
    # then the top with rounded shoulders (coats reach down over the hips).
    if look.bottom_kind == "skirt":
        spread = abs(legs[0][1][0] - legs[1][1][0]) * 0.5
        flare = w * 0.62 + spread * 0.7
        hem = hip_y + (0.16 if pose.sit < 0.5 else 0.11)
        pen.poly([(hip_x - w * 0.46, hip_y - 0.03), (hip_x + w * 0.46, hip_y - 0.03), (hip_x + flare, hem), (hip_x - flare, hem)], bottom)
    else:
        pen.poly(_round_box(hip_x - w * 0.5, hip_y - 0.05, hip_x + w * 0.5, hip_y + 0.035, 0.012), bottom)
    hem = {"coat": 0.16, "dress": -0.01, "jacket": 0.03, "hoodie": 0.02}.get(look.top_kind, 0.0)
    waist_y = hip_y + hem
    waist_w = w * (0.54 if look.top_kind == "coat" else 0.48)
    sx, sy = shoulder
    rs = min(0.03, w * 0.25)
    torso = [(sx - w / 2, sy + rs), (sx - w / 2 + rs * 0.3, sy + rs * 0.3), (sx - w / 2 + rs, sy),
             (sx + w / 2 - rs, sy), (sx + w / 2 - rs * 0.3, sy + rs * 0.3), (sx + w / 2, sy + rs),
             (hip_x + waist_w, waist_y), (hip_x - waist_w, waist_y)]
    pen.poly(torso, top)
    darker = c(scale(look.top, 0.75))
    if look.top_kind in ("jacket", "coat"):
        # An open front reads as a jacket at any size.
        x_line = fwd * w * 0.3
        pen.limb((sx + x_line, sy + 0.02), (hip_x + x_line, waist_y - 0.01), 0.01, darker)
    elif look.top_kind == "hoodie":
        pen.limb((sx - w * 0.12, sy + 0.01), (sx - w * 0.1, sy + 0.07), 0.007, darker)
        pen.limb((sx + w * 0.12, sy + 0.01), (sx + w * 0.1, sy + 0.07), 0.007, darker)
    if look.top_kind in ("shirt", "hoodie", "jacket") and look.bottom_kind != "skirt" and pose.sit < 0.5:
        pen.limb((hip_x - waist_w * 0.95, hip_y - 0.045), (hip_x + waist_w * 0.95, hip_y - 0.045), 0.008, c(scale(look.bottom, 0.7)))
    if look.bag is not None and not side_view:
        strap = c(scale(look.bag, 0.85))
        for sgn in (-1, 1):
            pen.limb((sx + sgn * w * 0.3, sy + 0.005), (sx + sgn * w * 0.28, sy + 0.14), 0.014, strap)

    pen.limb((sx, sy + 0.01), neck_top, 0.034, c(scale(look.skin, 0.88)))
    if look.scarf is not None:
        pen.limb((sx - w * 0.3, sy + 0.004), (sx + w * 0.3, sy + 0.004), 0.04, c(look.scarf))
    _draw_head(pen, look, pose, head_c, r.head_r, skin, hair, c)

    if side_view:
        draw_leg(near_k, False)
        draw_arm(near_k, False)
    else:
        draw_arm(0, False)
        draw_arm(1, False)
    return pen.pt(head_c), r.head_r * size


def _round_box(x0: float, y0: float, x1: float, y1: float, rad: float) -> list[tuple[float, float]]:
    pts = []
    for cx, cy, a0 in ((x1 - rad, y0 + rad, -90), (x1 - rad, y1 - rad, 0), (x0 + rad, y1 - rad, 90), (x0 + rad, y0 + rad, 180)):
        for k in range(4):
            a = math.radians(a0 + k * 30)
            pts.append((cx + rad * math.cos(a), cy + rad * math.sin(a)))
    return pts


def _draw_head(pen: _Pen, look: CharacterLook, pose: Pose, hc, hr: float, skin, hair, c) -> None:
    """Head, hair, a few face marks, glasses and hat."""
    f = pose.facing
    style = look.hair_style
    back = -(f or 0)
    ink = (44, 36, 38)
    blush = c(mix(look.skin, (236, 120, 120), 0.35))
    detail = pen.size * hr > 7  # faces only where they have room

    # Hair behind the head: above the chin, so it never reads as a beard.
    if style in ("bob", "long", "ponytail", "bun", "curly", "short"):
        grow = {"bob": 1.16, "long": 1.12, "curly": 1.2}.get(style, 1.06)
        pen.ellipse((hc[0] + back * hr * 0.2, hc[1] - hr * 0.12), (hr * grow, hr * (0.98 if style != "short" else 0.93)), 0, hair)
    if style == "bob" or (style == "long" and not f):
        drop = 0.95 if style == "bob" else 2.1
        for sgn in ((-1, 1) if not f else (back,)):
            x0 = hc[0] + sgn * hr * 0.78
            x1 = hc[0] + sgn * hr * (1.16 if style == "bob" else 1.08)
            pen.poly(_round_box(min(x0, x1), hc[1] - hr * 0.3, max(x0, x1), hc[1] + hr * drop, hr * 0.16), hair)
    if style == "ponytail":
        sway = pose.hair_swing
        tail = (hc[0] + (back if f else 1) * hr * 1.15 + sway, hc[1] + hr * 0.35)
        pen.ellipse(tail, (hr * 0.34, hr * 0.8), 18 * (back or 1), hair)
        pen.circle((hc[0] + (back if f else 0.95) * hr * 0.85, hc[1] - hr * 0.2), hr * 0.16, c(scale(look.hair, 0.7)))
    if style == "bun":
        pen.circle((hc[0] + back * hr * 0.45, hc[1] - hr * 0.98), hr * 0.42, hair)
    if style == "curly":
        for k in range(7):
            a = math.pi * (0.9 + k * 0.2)
            pen.circle((hc[0] + math.cos(a) * hr * 1.0, hc[1] + math.sin(a) * hr * 0.92), hr * 0.3, hair)

    pen.circle(hc, hr, skin)

    if f:
        # Profile: a nose bump, hair over the back of the head, one eye ahead.
        pen.circle((hc[0] + f * hr * 0.95, hc[1] + hr * 0.12), hr * 0.16, skin)
        cap = [(hc[0] + back * hr * 1.05, hc[1] + hr * 0.35), (hc[0] + back * hr * 1.08, hc[1] - hr * 0.3),
               (hc[0] + back * hr * 0.6, hc[1] - hr * 0.95), (hc[0] + f * hr * 0.2, hc[1] - hr * 1.08),
               (hc[0] + f * hr * 0.8, hc[1] - hr * 0.72), (hc[0] + f * hr * 0.55, hc[1] - hr * 0.5),
               (hc[0] + f * hr * 0.05, hc[1] - hr * 0.48), (hc[0] - f * hr * 0.2, hc[1] + hr * 0.05)]
        if style == "buzz":
            cap = cap[1:5] + [(hc[0] + f * hr * 0.2, hc[1] - hr * 0.7)]
        pen.poly(cap, hair)
        eye = (hc[0] + f * hr * 0.55, hc[1] + hr * 0.05)
        if detail:
            pen.circle(eye, hr * 0.1, ink)
            pen.circle((hc[0] + f * hr * 0.3, hc[1] + hr * 0.42), hr * 0.14, blush)
            if look.glasses:
                pen.arc(eye, (hr * 0.24, hr * 0.2), 0, 360, (60, 60, 70), 0.004)
                pen.limb((eye[0] - f * hr * 0.24, eye[1]), (hc[0] - f * hr * 0.2, hc[1]), 0.004, (60, 60, 70))
    else:
        if style != "buzz":
            # Fringe: swept a little to one side.
            pen.ellipse((hc[0] + hr * 0.18, hc[1] - hr * 0.62), (hr * 0.98, hr * 0.45), -8, hair)
            pen.ellipse((hc[0] - hr * 0.55, hc[1] - hr * 0.45), (hr * 0.45, hr * 0.45), 0, hair)
        else:
            pen.ellipse((hc[0], hc[1] - hr * 0.3), (hr * 1.02, hr * 0.75), 0, hair, (180, 360))
        if detail:
            for sgn in (-1, 1):
                eye = (hc[0] + sgn * hr * 0.36, hc[1] + hr * 0.12)
                pen.circle(eye, hr * 0.095, ink)
                pen.circle((hc[0] + sgn * hr * 0.56, hc[1] + hr * 0.42), hr * 0.13, blush)
                if look.glasses:
                    pen.arc(eye, (hr * 0.22, hr * 0.19), 0, 360, (60, 60, 70), 0.004)
            if look.glasses:
                pen.limb((hc[0] - hr * 0.14, hc[1] + hr * 0.1), (hc[0] + hr * 0.14, hc[1] + hr * 0.1), 0.004, (60, 60, 70))
            pen.arc((hc[0], hc[1] + hr * 0.42), (hr * 0.16, hr * 0.09), 20, 160, c(scale(look.skin, 0.55)), 0.005)
        else:
            for sgn in (-1, 1):
                pen.circle((hc[0] + sgn * hr * 0.36, hc[1] + hr * 0.12), hr * 0.12, ink)
    if look.hat is not None:
        hat = c(look.hat)
        pen.ellipse((hc[0], hc[1] - hr * 0.4), (hr * 1.08, hr * 0.8), 0, hat, (180, 360))
        brim_x = hc[0] + (f * hr * 0.6 if f else 0)
        pen.ellipse((brim_x, hc[1] - hr * 0.4), (hr * (0.9 if f else 1.3), hr * 0.15), 0, hat)
