"""What content credentials cost on an export: signing and verifying against encoding.

Encodes synthetic frames with Studio's `write_mp4` (the export encoder), then
signs the file with a C2PA manifest (`sign_mp4`, local CA, ES256) and verifies
it (`verify_mp4`, trust checked against the local CA), side by side in one run.
Read the ratios (sign / encode, verify / encode): absolute times drift on these
shared machines. Also prints the bytes the manifest adds, and the feed
database's insert and page-query times for many videos.

    python benchmarks/bench_provenance.py [--frames 120] [--sizes 1280x720,720x1280] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def best_of(repeats: int, fn) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=120)
    ap.add_argument("--sizes", default="1280x720,720x1280")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--feed-videos", type=int, default=2000)
    args = ap.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="studio-bench-prov-"))
    os.environ["STUDIO_DATA_DIR"] = str(folder / "data")
    from studio.media.encode import write_mp4
    from studio.provenance.content_credentials import sign_mp4, verify_mp4
    from studio.provenance.credentials import signing_identity

    identity = signing_identity()  # the local CA is made here, outside the timings
    manifest = {
        "claim_generator_info": [{"name": "Studio", "version": "bench"}],
        "title": "bench",
        "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": [{
            "action": "c2pa.created",
            "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"}]}}],
    }
    print(f"{'canvas':>10} {'frames':>6} {'MB':>6} {'encode s':>9} {'sign s':>7} {'verify s':>8} "
          f"{'sign/enc':>8} {'verify/enc':>10} {'+bytes':>7}")
    rng = np.random.default_rng(0)
    for size in args.sizes.split(","):
        w, h = (int(v) for v in size.split("x"))
        frames = rng.integers(0, 256, (8, h, w, 3), dtype=np.uint8)
        src, signed = folder / f"{size}.mp4", folder / f"{size}.signed.mp4"
        t_enc = best_of(1, lambda: write_mp4(src, (frames[i % 8] for i in range(args.frames)), fps=24, width=w, height=h,
                                             frame_count=args.frames, preset="veryfast"))
        t_sign = best_of(args.repeats, lambda: sign_mp4(src, signed, manifest, identity))
        t_verify = best_of(args.repeats, lambda: verify_mp4(signed))
        assert verify_mp4(signed).ok
        extra = signed.stat().st_size - src.stat().st_size
        print(f"{size:>10} {args.frames:>6} {src.stat().st_size / 1e6:>6.1f} {t_enc:>9.2f} {t_sign:>7.3f} {t_verify:>8.3f} "
              f"{t_sign / t_enc:>8.3f} {t_verify / t_enc:>10.3f} {extra:>7}")

    from studio.services.feed_store import FeedStore

    n = args.feed_videos
    with FeedStore(folder / "feed.sqlite3") as store:
        dummy = folder / "v.mp4"
        dummy.write_bytes(b"x")
        t0 = time.perf_counter()
        for i in range(n):
            store.add_video(folder / f"v{i}.mp4", title=f"video {i}", seconds=4, width=720, height=1280,
                            engines=["sketch 1.0"], recipe="{}" * 200, cameos=[(f"cameo_{i % 50}", "X")])
        t_insert = time.perf_counter() - t0
        t_page = best_of(args.repeats, lambda: store.videos(limit=200, existing_only=False))
        t_cameo = best_of(args.repeats, lambda: store.videos_with_cameos(["cameo_7"], existing_only=False))
    print(f"\nfeed database, {n} videos: insert {t_insert / n * 1000:.2f} ms each, "
          f"newest-200 page {t_page * 1000:.1f} ms, one cameo's videos {t_cameo * 1000:.1f} ms")


if __name__ == "__main__":
    main()
