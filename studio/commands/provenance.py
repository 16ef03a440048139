"""`studio verify`, `studio remix` and `studio credentials`: content credentials and remixing.

    studio verify FILE.mp4 [--json] [--trust CA.pem]
        the C2PA manifest, whether its signature is valid and trusted, and
        whether the file changed after signing. Exit 0: signed, intact and
        trusted; 3: signed and intact but by an untrusted signer; 1: altered,
        invalid or not signed.
    studio remix FILE.mp4 -o NEW.studio [--title T] [--force]
        the embedded recipe as a new project (a cameo is carried over only when
        this machine's cameo vault holds it and permits you to use it).
    studio credentials [--use CERT KEY | --local | --trust CA.pem]
        show or change which certificate signs exports.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from studio.commands import UserError, new_bundle_destination

EXIT_OK, EXIT_INVALID, EXIT_UNTRUSTED = 0, 1, 3


def _existing_file(path: str) -> Path:
    p = Path(path)
    if not p.exists():
        raise UserError(f"{p}: no such file")
    if p.is_dir():
        raise UserError(f"{p}: is a folder; give an MP4 file")
    return p


def _read_trust_anchors(pem: str) -> bytes:
    """The CA certificates of --trust; a file with none is refused (it used to be ignored silently)."""
    from cryptography import x509

    try:
        data = Path(pem).read_bytes()
    except OSError as exc:
        raise UserError(f"{pem}: cannot read the trust anchors ({exc.strerror or exc})") from None
    try:
        x509.load_pem_x509_certificates(data)
    except ValueError:
        raise UserError(f"{pem}: no PEM certificate in it; give a PEM file of CA certificates") from None
    return data


def _require_media(path: Path) -> None:
    """Refuse a file that is not a video at all (a text file renamed .mp4), naming it.

    Without this, verify reported such a file as merely "not signed".
    """
    from studio.media.decode import probe
    from studio.media.errors import MediaError

    try:
        probe(path)
    except MediaError as exc:
        raise UserError(f"{exc}") from None


def cmd_verify(args: argparse.Namespace) -> int:
    from studio.provenance.content_credentials import verify_mp4

    path = _existing_file(args.file)
    extra = _read_trust_anchors(args.trust) if args.trust else b""
    _require_media(path)
    report = verify_mp4(path, extra_anchors=extra)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_report(report)
    if report.ok:
        return EXIT_OK
    if report.has_manifest and report.signature_valid and not report.altered and report.state != "Invalid":
        return EXIT_UNTRUSTED
    return EXIT_INVALID


def _print_report(r) -> None:
    if not r.has_manifest:
        print(f"{r.path}: no content credentials (not signed)")
        return
    if r.altered:
        verdict = "ALTERED — the file changed after it was signed"
    elif not r.signature_valid or r.state == "Invalid":
        verdict = "INVALID — the content credentials do not verify"
    elif r.trusted:
        verdict = "verified — signed, unchanged, trusted signer"
    else:
        verdict = "signed and unchanged, but the signer is not trusted here (add its CA with --trust or `studio credentials --trust`)"
    print(f"{r.path}: {verdict}")
    print(f"  signature: {'valid' if r.signature_valid else 'INVALID'}; trusted: {'yes' if r.trusted else 'no'}; "
          f"changed after signing: {'YES' if r.altered else 'no'} (C2PA state {r.state})")
    if r.signer or r.issuer:
        print(f"  signed by: {r.signer} (issuer {r.issuer}){' at ' + r.signed_at if r.signed_at else ''}")
    if r.title or r.generator:
        print(f"  title: {r.title}; made with {r.generator}")
    print(f"  AI-generated: {'yes (trainedAlgorithmicMedia)' if r.ai_generated else 'not declared'}")
    if r.engines or r.models:
        print(f"  engines: {', '.join(r.engines) or '-'}; models: {', '.join(r.models) or '-'}")
    if r.recipe_intact is not None:
        print(f"  recipe: {'matches the credentials' if r.recipe_intact else 'CHANGED since signing'}")
    for c in r.cameos:
        consent = c.get("consent") or "no consent reference recorded"
        print(f"  cameo: {c.get('cameo_id')} as {c.get('character', '?')} (consent: {consent})")
    for f in r.failures:
        print(f"  problem: {f['code']}: {f['explanation']}")


def cmd_remix(args: argparse.Namespace) -> int:
    from studio.persistence.bundle import ProjectFileError
    from studio.provenance.recipe import RecipeError
    from studio.provenance.remix import remix_mp4
    from studio.services.cameo_credits import may_use_cameo

    path = _existing_file(args.file)
    bundle = new_bundle_destination(args.output, force=args.force)
    existed = bundle.exists()
    # A cameo comes back only if this machine's vault holds it and permits this user.
    try:
        result = remix_mp4(path, bundle, title=args.title, may_use_cameo=may_use_cameo)
    except RecipeError as exc:
        raise UserError(f"{path}: {exc}; only a Studio MP4 with its recipe intact can be remixed") from None
    except BaseException:
        if not existed:  # a failed remix (full disk, a bad value) leaves no half-made project behind
            import shutil

            shutil.rmtree(bundle, ignore_errors=True)
        raise
    p = result.project
    print(f"Remixed {path.name} into {bundle} — {len(p.shots)} shots, {p.canvas.width}x{p.canvas.height} @ {p.fps} fps")
    for i, shot in enumerate(p.shots, 1):
        print(f"  {i}. {shot.display_title(i - 1)}  [{shot.engine}, seed {shot.seed}]")
    if result.kept_cameos:
        print(f"  {len(result.kept_cameos)} cameo(s) carried over (your vault permits them)")
    if result.dropped_cameos:
        print(f"  {len(result.dropped_cameos)} cameo(s) not carried over (no permission to use them); "
              "their characters keep their look")
    for note in result.notes:
        print(f"  note: {note}")
    print(f"Render it with: studio render {bundle} -o remix.mp4")
    return EXIT_OK


def cmd_credentials(args: argparse.Namespace) -> int:
    from studio.provenance import credentials as cr

    if args.use:
        identity = cr.use_user_certificate(Path(args.use[0]), Path(args.use[1]))
        print(f"Exports are now signed as {identity.subject}")
        return EXIT_OK
    if args.local:
        cr.forget_user_certificate()
    if args.trust:
        n = cr.add_trust_anchor(Path(args.trust))
        print(f"Added {n} trust anchor(s) from {args.trust}")
    identity = cr.signing_identity()
    folder = cr.credentials_dir()
    print(f"Signing with the {identity.source}: {identity.subject}")
    print(f"  folder: {folder}")
    print(f"  trust anchor for `studio verify`: {folder / cr.ROOT_CERT} (share it so others can trust your videos)")
    return EXIT_OK


def register(sub) -> None:
    p = sub.add_parser("verify", help="check a video's content credentials (C2PA)")
    p.add_argument("file", help="the MP4 to check")
    p.add_argument("--json", action="store_true", help="print the full report as JSON")
    p.add_argument("--trust", metavar="CA.pem", help="also trust the CA certificates in this PEM file")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("remix", help="open a Studio MP4's recipe as a new project")
    p.add_argument("file", help="a Studio MP4")
    p.add_argument("-o", "--output", required=True, help="the project folder to create (NEW.studio)")
    p.add_argument("--title", help="a title for the new project")
    p.add_argument("--force", action="store_true", help="overwrite an existing project")
    p.set_defaults(func=cmd_remix)

    p = sub.add_parser("credentials", help="show or change the certificate that signs exports")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--use", nargs=2, metavar=("CERT", "KEY"), help="sign with this PEM chain and EC P-256 key")
    g.add_argument("--local", action="store_true", help="sign with the local certificate authority again")
    p.add_argument("--trust", metavar="CA.pem", help="trust these CA certificates when verifying")
    p.set_defaults(func=cmd_credentials)
