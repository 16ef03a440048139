"""`studio cameo create|list|revoke|export|import|cast|key|ledger`: cameos from the terminal.

`create` is the wizard's flow without a window: the consent statement point by
point (or `--agree --signature "NAME"` for scripts), then the recorded liveness
check with the prompts printed as they come, then the identity stored in the
vault. Without consent nothing is opened, let alone captured.
"""

from __future__ import annotations

import sys

from studio.commands import UserError


def register(sub) -> None:
    p = sub.add_parser("cameo", help="cast yourself: consent, capture, and manage your cameos")
    cs = p.add_subparsers(dest="cameo_command", metavar="create|list|revoke|reset|export|import|cast|key|ledger")
    cs.required = True

    c = cs.add_parser("create", help="make a cameo of yourself (consent, liveness check, identity)")
    c.add_argument("--name", required=True, help="the cameo's name (your name, as cast with @name)")
    c.add_argument("--camera", default="0", help="webcam index (default 0); a video file only in tests, with STUDIO_TEST_CAMERA_FILES=1")
    c.add_argument("--agree", action="store_true", help="give consent to every point of the statement (scripts)")
    c.add_argument("--signature", default="", help="your name, typed, to sign the consent (with --agree)")
    c.add_argument("--permission", choices=("only_me", "approved", "everyone"), default="only_me",
                   help="who may render with this cameo (default only_me)")
    c.add_argument("--approve", action="append", default=[], metavar="KEY",
                   help="public key or fingerprint of a person you approve (repeat)")
    c.add_argument("--lang", choices=("en", "ja"), default="en", help="language of the consent statement and prompts")
    c.add_argument("--no-microphone", action="store_true", help="do not open the microphone")
    c.set_defaults(func=cmd_create)

    ls = cs.add_parser("list", help="list the cameos in your vault")
    ls.set_defaults(func=cmd_list)

    rs = cs.add_parser("reset", help="delete the whole vault (when its key is lost): every cameo and key")
    rs.add_argument("--yes", action="store_true", help="confirm: every cameo is deleted")
    rs.set_defaults(func=cmd_reset)

    r = cs.add_parser("revoke", help="revoke a cameo: its face data is deleted and later renders are refused")
    r.add_argument("cameo", help="cameo id or name")
    r.add_argument("--reason", default="")
    r.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    r.set_defaults(func=cmd_revoke)

    e = cs.add_parser("export", help="write a package of your cameo, signed with your key")
    e.add_argument("cameo", help="cameo id or name")
    e.add_argument("-o", "--out", required=True, help="package file to write (.cameo)")
    e.add_argument("--permission", choices=("only_me", "approved", "everyone"), help="permission in the package (default: the cameo's)")
    e.add_argument("--approve", action="append", default=None, metavar="KEY", help="public key or fingerprint allowed to import it")
    e.add_argument("--expires", default="30d", help="when the package stops being valid: 30d, 12h, 2w or a date (default 30d)")
    e.set_defaults(func=cmd_export)

    i = cs.add_parser("import", help="verify a cameo package and add it to your vault")
    i.add_argument("package", help="the .cameo file")
    i.set_defaults(func=cmd_import)

    k = cs.add_parser("key", help="print your public key (others approve you with it)")
    k.set_defaults(func=cmd_key)

    t = cs.add_parser("cast", help="cast a cameo as a story-bible character of a project (then write @NAME in prompts)")
    t.add_argument("project", help="the project (.studio folder)")
    t.add_argument("cameo", help="cameo id or name")
    t.add_argument("--character", help="the character's name in the story bible (default: the cameo's name; added if missing)")
    t.add_argument("--look", default="", help="look of a newly added character (clothes, build)")
    t.set_defaults(func=cmd_cast)

    g = cs.add_parser("ledger", help="every render that used a cameo")
    g.add_argument("cameo", help="cameo id or name")
    g.set_defaults(func=cmd_ledger)


def _approved_ids(keys: list[str]) -> tuple[str, ...]:
    """Fingerprints from public keys (base64) or fingerprints as given."""
    import base64
    import binascii

    from studio.cameo.vault import fingerprint

    out = []
    for key in keys:
        k = key.strip()
        if len(k) == 32 and all(ch in "0123456789abcdef" for ch in k.lower()):
            out.append(k.lower())
            continue
        try:
            raw = base64.b64decode(k, validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != 32:
            raise UserError(f"--approve {key!r}: not a public key or fingerprint (ask them for `studio cameo key`)")
        out.append(fingerprint(raw))
    return tuple(out)


def _ask_consent(name: str, lang: str):
    from studio.cameo.consent import CONSENT_POINTS, ConsentError, give_consent

    if not sys.stdin.isatty():
        raise UserError("consent is needed before anything is captured: run this in a terminal, "
                        "or pass --agree --signature \"YOUR NAME\" after reading `studio cameo create --help`")
    print("Before anything is recorded, please read each point and confirm it." if lang == "en"
          else "記録を始める前に、各項目を読んで確認してください。")
    confirmed = []
    for i, point in enumerate(CONSENT_POINTS, 1):
        print(f"\n{i}. {point.text(lang)}")
        answer = input("   I agree [y/N]: " if lang == "en" else "   同意します [y/N]: ").strip().lower()
        if answer not in ("y", "yes", "はい"):
            raise UserError("consent was not given, so nothing was captured")
        confirmed.append(point.key)
    signature = input("\nType your name to sign: " if lang == "en" else "\n署名として名前を入力してください: ")
    try:
        return give_consent(name, signature, confirmed, lang)
    except ConsentError as exc:
        raise UserError(str(exc)) from None


def cmd_create(args) -> int:
    from studio.cameo.consent import CONSENT_POINTS, ConsentError, consent_statement, give_consent

    if args.agree:
        if not args.signature.strip():
            raise UserError("--agree needs --signature \"YOUR NAME\" (type your name to sign the consent)")
        print(consent_statement(args.lang))
        try:
            consent = give_consent(args.name, args.signature, [p.key for p in CONSENT_POINTS], args.lang)
        except ConsentError as exc:
            raise UserError(str(exc)) from None
    else:
        consent = _ask_consent(args.name, args.lang)
    approved = _approved_ids(args.approve)

    # Only now, with consent recorded, may the camera and microphone be opened.
    from studio.cameo.enrol import create_cameo, run_enrolment
    from studio.cameo.liveness import LivenessChallenge
    from studio.cameo.quality import advice_text
    from studio.cameo.vault import Vault
    from studio.media.capture import CameraSource

    from studio.media.capture import TEST_FILE_CAMERA_ENV, file_cameras_allowed

    if not str(args.camera).strip().isdigit() and not file_cameras_allowed():
        raise UserError(f"--camera {args.camera}: the liveness check needs a live webcam (a number such as 0); "
                        f"a video file stands in for it only in tests ({TEST_FILE_CAMERA_ENV}=1)")
    challenge = LivenessChallenge.random()
    camera = CameraSource(args.camera)
    shown: list = [None]

    def on_update(update) -> None:
        if update.step is not None and update.step != shown[0]:
            shown[0] = update.step
            print(f"  >> {update.step.prompt(challenge.digits, args.lang)}", flush=True)

    print(f"\nLiveness check with {camera.describe()} ({challenge.duration:.0f} s). Follow the prompts:", flush=True)
    result = run_enrolment(consent, camera, challenge, use_microphone=not args.no_microphone, on_update=on_update)
    for note in result.notes:
        print(f"  note: {note}")
    advice = [advice_text(k, args.lang) for k in result.advice if k != "good"]
    if advice:
        print("  advice: " + " ".join(advice))
    if not result.liveness.passed:
        raise UserError("the liveness check did not pass, so no cameo was made: " + " ".join(result.liveness.messages(args.lang)))
    cameo = create_cameo(Vault(), consent, result, permission=args.permission, approved=approved)
    print(f"created cameo {cameo.id} ({cameo.name}), permission {cameo.permission}; "
          f"cast it into a project with `studio cameo cast PROJECT {cameo.id}`")
    return 0


def cmd_list(args) -> int:
    from studio.cameo.vault import Vault

    vault = Vault()
    cameos = vault.list()
    shown = len(vault.problems)
    for problem in vault.problems:
        print(f"studio: warning: {problem}", file=sys.stderr)
    if not cameos:
        if vault.problems:
            from studio.cameo.vault import VaultError

            raise VaultError(f"no readable cameo in {vault.root}", "see the warnings above for each damaged file")
        print("no cameos yet (make one with `studio cameo create --name NAME`)")
        return 0
    print(f"{'id':<20} {'name':<20} {'status':<8} {'permission':<10} {'owner':<8} {'uses':>4}  expires")
    me = vault.owner_id()
    for c in cameos:
        uses = sum(1 for e in vault.ledger(c.id) if e.get("kind") == "render")
        owner = "me" if c.owner == me else c.owner[:8]
        print(f"{c.id:<20} {c.name[:20]:<20} {c.status:<8} {c.permission:<10} {owner:<8} {uses:>4}  {c.expires_at or '-'}")
    for problem in vault.problems[shown:]:  # torn ledger lines met while counting uses
        print(f"studio: warning: {problem}", file=sys.stderr)
    return 0


def cmd_reset(args) -> int:
    """Delete the whole vault: the way out when its key is lost for good."""
    from studio.cameo.vault import Vault

    vault = Vault()
    if not args.yes:
        raise UserError(f"reset deletes every cameo in {vault.root} and its keys: pass --yes to confirm")
    for cameo_dir in sorted(vault.root.glob("cameo_*")):
        print(f"  deleting {cameo_dir.name}")
    vault.delete_all()
    print(f"the cameo vault {vault.root} was reset; make a new cameo with `studio cameo create --name NAME`")
    return 0


def cmd_revoke(args) -> int:
    from studio.cameo.vault import Vault

    vault = Vault()
    cameo = vault.get(args.cameo)
    if cameo.revoked:
        print(f"cameo {cameo.id} ({cameo.name}) was already revoked")
        return 0
    if not args.yes:
        if not sys.stdin.isatty():
            raise UserError("revoke deletes the face data: confirm in a terminal or pass --yes")
        if input(f"Revoke {cameo.name} ({cameo.id}) and delete its face data? [y/N]: ").strip().lower() not in ("y", "yes"):
            print("nothing was changed")
            return 0
    vault.revoke(cameo.id, args.reason)
    print(f"revoked {cameo.id} ({cameo.name}): face data deleted; renders that cast it will be refused")
    return 0


def cmd_export(args) -> int:
    from pathlib import Path

    from studio.cameo.vault import Vault, parse_expiry

    vault = Vault()
    out = Path(args.out)
    if not out.parent.is_dir():
        raise UserError(f"{out.parent}: no such folder")
    if out.is_dir():
        raise UserError(f"{out}: a folder with that name is in the way; give a file name like {args.cameo}.cameo")
    approved = _approved_ids(args.approve) if args.approve is not None else None
    path = vault.export_package(args.cameo, out, permission=args.permission, approved=approved, expires=parse_expiry(args.expires))
    print(f"wrote {path}, signed by {vault.owner_id()}")
    return 0


def cmd_import(args) -> int:
    from studio.cameo.vault import Vault

    cameo = Vault().import_package(args.package)
    print(f"imported cameo {cameo.id} ({cameo.name}) from {cameo.owner_name or cameo.owner}; "
          f"permission {cameo.permission}, valid until {cameo.expires_at}")
    return 0


def cmd_key(args) -> int:
    from studio.cameo.vault import Vault

    vault = Vault()
    print(f"public key:  {vault.owner_public_key()}\nfingerprint: {vault.owner_id()}")
    return 0


def cmd_cast(args) -> int:
    from studio.cameo.vault import Vault
    from studio.persistence.lock import bundle_lock

    cameo = Vault().check_render_allowed(Vault().get(args.cameo).id)
    with bundle_lock(args.project, "studio cameo cast"):  # a render saving meanwhile would write over the cast
        return _cast_locked(args, cameo)


def _cast_locked(args, cameo) -> int:
    from dataclasses import replace

    from studio.commands import load_bundle
    from studio.domain.model import Character, new_id
    from studio.persistence.bundle import save_project

    project = load_bundle(args.project)
    import re

    # The prompt grammar's @name is one word (letters first; digits, _ and - after): see studio.domain.prompt.
    one_word = re.compile(r"[^\W\d][\w\-]*")
    name = (args.character or (cameo.name if one_word.fullmatch(cameo.name) else cameo.name.split()[0])).strip()
    if not one_word.fullmatch(name):
        raise UserError(f"--character {name!r}: give a one-word name (it is written @{name.split()[0] if name else 'NAME'} in prompts)")
    bible = project.bible
    existing = bible.find_by_name(name)
    if existing is not None:
        characters = tuple(replace(c, cameo_id=cameo.id) if c.id == existing.id else c for c in bible.characters)
    else:
        characters = bible.characters + (Character(new_id("char"), name, args.look, cameo_id=cameo.id),)
    save_project(replace(project, bible=replace(bible, characters=characters)), args.project)
    print(f"{name} is now played by cameo {cameo.id} ({cameo.name}); write @{name} in a shot's prompt to cast them")
    return 0


def cmd_ledger(args) -> int:
    from studio.cameo.vault import Vault

    vault = Vault()
    entries = vault.ledger(args.cameo)
    if not entries:
        print("no uses recorded")
    for e in entries:
        rest = ", ".join(f"{k}={v}" for k, v in sorted(e.items()) if k not in ("at", "kind"))
        print(f"{e['at']}  {e['kind']:<8} {rest}")
    return 0
