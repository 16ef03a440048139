"""The hostile-user campaign of issue 16, rerun: counts, not timings.

Four attacks on real files, each counted:

- kill-mid-save: a child process saves a growing project over and over and is
  SIGKILLed at a random moment; the bundle must load, hold every shot the child
  reported saved, and leave no file outside it. Stale temporary files are then
  swept by `sweep_stale_temp_files`.
- damaged project files: a valid project.json cut, byte-flipped, spliced with
  junk or given hostile values (lone surrogates, Infinity, 1e308, "24", null,
  deep nesting, 5000-digit integers, huge canvases) must each load or fail with
  a `ProjectFileError`; anything else is a traceback.
- hostile recipes: the same damage applied to an export's recipe; each must
  parse or fail with a `RecipeError`, and a recipe that parses is remixed into
  a bundle; nothing may be written outside that bundle.
- byte flips in signed files: one flipped byte anywhere in a signed export (and
  appended, renamed or removed boxes); `verify_mp4` must report every one as
  altered.
- two writers at once: two `studio render` runs of one project started together,
  then the window's save of the copy it had open; no take an MP4 names may be
  missing from project.json and no take file may be orphaned.

    python benchmarks/bench_hostile.py [--kills 200] [--damaged 500] [--recipes 300] [--flips 100] [--writers 20] [--seed 0]

Prints one table: runs, tracebacks, writes outside, lost takes, % of modified
files reported altered.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import struct
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
ROOT = Path(__file__).resolve().parents[1]

SAVER = r"""
import sys
from dataclasses import replace
from studio.domain.model import Shot
from studio.persistence.bundle import load_project, save_project
bundle = sys.argv[1]
p = load_project(bundle)
n = len(p.shots)
while True:
    n += 1
    p = replace(p, shots=p.shots + (Shot(id=f"shot_k{n}", prompt="x" * 2000, duration_frames=4),))
    save_project(p, bundle)
    print(n, flush=True)
"""


def snapshot(folder: Path, skip: Path) -> dict[str, tuple[int, float]]:
    """Every file under ``folder`` except inside ``skip``: path -> (size, mtime)."""
    out = {}
    for root, dirs, files in os.walk(folder):
        if Path(root) == skip or skip in Path(root).parents:
            dirs[:] = []
            continue
        for f in files:
            p = Path(root) / f
            try:
                st = p.lstat()
            except OSError:
                continue
            out[str(p)] = (st.st_size, st.st_mtime)
    return out


def kill_mid_save(runs: int, rng: random.Random, work: Path) -> dict:
    from studio.persistence.bundle import ProjectFileError, load_project, save_project
    from studio.persistence.lock import sweep_stale_temp_files
    from tests.support.projects import small_project

    stats = {"runs": runs, "tracebacks": 0, "writes_outside": 0, "lost": 0, "swept": 0}
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for i in range(runs):
        case = work / f"kill{i}"
        case.mkdir()
        bundle = save_project(small_project("a ball bounces", frames=4, size=(64, 64)), case / "p.studio")
        before = snapshot(case, bundle)
        proc = subprocess.Popen([sys.executable, "-c", SAVER, str(bundle)], stdout=subprocess.PIPE, env=env, text=True)
        first = proc.stdout.readline()  # started and saved once
        time.sleep(rng.uniform(0, 0.05))
        os.kill(proc.pid, signal.SIGKILL)
        rest = proc.stdout.read()
        proc.wait()
        confirmed = int((first + rest).split()[-1]) if (first + rest).split() else 1
        try:
            p = load_project(bundle)
            if len(p.shots) < confirmed:
                stats["lost"] += 1
        except ProjectFileError:
            stats["lost"] += 1
        except Exception:
            stats["tracebacks"] += 1
        if snapshot(case, bundle) != before:
            stats["writes_outside"] += 1
        os.utime(bundle, None)
        stats["swept"] += len(sweep_stale_temp_files(bundle, min_age=0))
    return stats


HOSTILE_VALUES = ["\ud800", float("inf"), 1e308, "24", None, -1, 2**70, [], {}, True, "x" * 30000]


def damage(text: str, rng: random.Random) -> str:
    """One random damage of a JSON document's text."""
    kind = rng.randrange(7)
    if kind == 0:
        return text[: rng.randrange(len(text))]
    if kind == 1:
        b = bytearray(text.encode("utf-8"))
        for _ in range(rng.randint(1, 4)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        return b.decode("utf-8", "surrogateescape")
    if kind == 2:
        at = rng.randrange(len(text))
        return text[:at] + rng.choice(["{", "]", "\\ud800", "NaN", "Infinity", '"', "9" * 5000, "\x00"]) + text[at:]
    if kind == 3:
        return "[" * rng.choice([999, 1000, 5000, 100000]) + "]" * 10
    doc = json.loads(text)
    # Hostile values in a random field somewhere in the document.
    def fields(obj, path=()):
        if isinstance(obj, dict):
            for k, v in obj.items():
                yield path + (k,), obj, k
                yield from fields(v, path + (k,))
        elif isinstance(obj, list):
            for j, v in enumerate(obj):
                yield path + (j,), obj, j
                yield from fields(v, path + (j,))
    targets = list(fields(doc))
    for _ in range(rng.randint(1, 3)):
        _, parent, key = rng.choice(targets)
        parent[key] = rng.choice(HOSTILE_VALUES)
    if kind == 5:
        doc["schema_version"] = 1
        doc["fps"] = rng.choice(HOSTILE_VALUES + [24])
        for s in doc.get("shots", []) if isinstance(doc.get("shots"), list) else []:
            if isinstance(s, dict):
                s.pop("duration_frames", None)
                s["duration_seconds"] = rng.choice(HOSTILE_VALUES + [1.5])
    if kind == 6:
        doc["canvas"] = {"width": rng.choice([8192, 16384, 4096, 17, 10**6]), "height": rng.choice([8192, 16384, 2160])}
    out = json.dumps(doc, allow_nan=True)
    return out.replace("9" * 10, "9" * 5000, 1) if rng.random() < 0.1 else out


def damaged_projects(runs: int, rng: random.Random, work: Path) -> dict:
    from studio.persistence.bundle import PROJECT_FILE, ProjectFileError, load_project, save_project
    from tests.support.projects import small_project

    stats = {"runs": runs, "tracebacks": 0, "writes_outside": 0, "loaded": 0, "refused": 0, "examples": []}
    bundle = save_project(small_project("a ball bounces", "a dog runs", frames=4, size=(64, 64)), work / "dmg.studio")
    good = (bundle / PROJECT_FILE).read_text("utf-8")
    before = snapshot(work, bundle)
    for _ in range(runs):
        text = damage(good, rng)
        (bundle / PROJECT_FILE).write_bytes(text.encode("utf-8", "surrogatepass"))
        try:
            load_project(bundle)
            stats["loaded"] += 1
        except ProjectFileError as exc:
            stats["refused"] += 1
            if not str(exc.path).endswith(PROJECT_FILE):
                stats["tracebacks"] += 1
        except Exception:
            stats["tracebacks"] += 1
            if len(stats["examples"]) < 3:
                stats["examples"].append(traceback.format_exc(limit=2)[-300:])
    if snapshot(work, bundle) != before:
        stats["writes_outside"] += 1
    return stats


def hostile_recipes(runs: int, rng: random.Random, work: Path) -> dict:
    from studio.persistence.bundle import ProjectFileError, save_project
    from studio.provenance.recipe import RecipeError, build_recipe, parse_recipe
    from studio.provenance.remix import remix_project
    from tests.support.projects import small_project

    stats = {"runs": runs, "tracebacks": 0, "writes_outside": 0, "remixed": 0, "refused": 0, "left_behind": 0,
             "examples": []}
    good = build_recipe(small_project("a ball bounces", "a dog runs", frames=4, size=(64, 64)), [])
    area = work / "recipes"
    area.mkdir()
    before = snapshot(work, area)
    for i in range(runs):
        dest = area / f"r{i}.studio"
        try:
            recipe = parse_recipe(damage(good, rng))
            save_project(remix_project(recipe).project, dest)
            stats["remixed"] += 1
        except (RecipeError, ProjectFileError):
            stats["refused"] += 1
            if dest.exists():
                stats["left_behind"] += 1
        except Exception:
            stats["tracebacks"] += 1
            if len(stats["examples"]) < 3:
                stats["examples"].append(traceback.format_exc(limit=2)[-300:])
    if snapshot(work, area) != before:
        stats["writes_outside"] += 1
    return stats


def byte_flips(runs: int, rng: random.Random, work: Path) -> dict:
    from studio.media.decode import mp4_boxes
    from studio.persistence.bundle import save_project
    from studio.provenance.content_credentials import verify_mp4
    from studio.services.export import export_project
    from tests.support.projects import small_project

    project = small_project("a ball bounces", frames=6, size=(64, 64))
    bundle = save_project(project, work / "sig.studio")
    path = export_project(project, bundle, work / "signed.mp4").path
    data = path.read_bytes()
    assert verify_mp4(path).ok, "a fresh export must verify as trusted"
    boxes = mp4_boxes(path)
    variants = []
    for k in range(runs):
        if k % 10 == 9:  # structural changes
            free = next((b for b in boxes if b[0] == "free"), boxes[-1])
            variants.append(rng.choice([
                data + struct.pack(">I4s", 16, b"free") + bytes(8),
                data[:free[1] + 4] + b"skip" + data[free[1] + 8:],
                data[:boxes[-1][1]],
                data + b"\x00",
            ]))
            continue
        # Half the flips land outside mdat (ftyp, the C2PA box, moov, free, the seal), where c2pa is weakest.
        kind, off, size = rng.choice([b for b in boxes if b[0] != "mdat"]) if k % 2 else rng.choice(boxes)
        d = bytearray(data)
        d[off + rng.randrange(size)] ^= 1 << rng.randrange(8)
        variants.append(bytes(d))
    stats = {"runs": runs, "tracebacks": 0, "altered": 0}
    for content in variants:
        target = work / "flip.mp4"
        target.write_bytes(content)
        try:
            if verify_mp4(target).altered:
                stats["altered"] += 1
        except Exception:
            stats["tracebacks"] += 1
    stats["pct_altered"] = 100.0 * stats["altered"] / max(1, runs)
    return stats


def two_writers(runs: int, rng: random.Random, work: Path) -> dict:
    """Two `studio render` runs of one project started together, then the window saving the copy it had open.

    Lost: a take an MP4 (exit 0) names that is not in project.json at the end, or a take file in media/
    that no take of project.json refers to. A render refused because the other holds the lock is fine
    (it names the other process); any other failure is counted as a traceback.
    """
    from studio.media.decode import probe
    from studio.persistence.bundle import load_project, save_project
    from studio.persistence.merge import save_merged
    from studio.provenance.recipe import RECIPE_KEY
    from tests.support.projects import small_project

    stats = {"runs": runs, "tracebacks": 0, "writes_outside": 0, "lost": 0, "refused": 0, "both_wrote": 0}
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for i in range(runs):
        case = work / f"two{i}"
        case.mkdir()
        bundle = save_project(small_project("a ball bounces", "a cat sleeps", frames=4, size=(64, 64)), case / "p.studio")
        window = load_project(bundle)  # what the window has open while the renders run
        before = snapshot(case, bundle)
        outs = [case / f"out{k}.mp4" for k in range(2)]
        procs = [subprocess.Popen([sys.executable, "-m", "studio", "render", str(bundle), "-o", str(o), "-q"],
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for o in outs]
        time.sleep(rng.uniform(0, 0.2))
        results = [(p.wait(600), p.stderr.read()) for p in procs]
        for code, err in results:
            if code != 0 and "is being written by" in err:
                stats["refused"] += 1
            elif code != 0:
                stats["tracebacks"] += 1
        stats["both_wrote"] += all(code == 0 for code, _ in results)
        save_merged(window, bundle, base=window, what="the window saving (bench)")
        final = load_project(bundle)
        kept = {t.id for s in final.shots for t in s.takes}
        named = set()
        for o in outs:
            if o.is_file():
                named |= {sh["take_id"] for sh in json.loads(probe(o).metadata[RECIPE_KEY])["shots"]}
        files = {f for s in final.shots for t in s.takes for f in (t.video, *(n for _, n in t.stems))}
        orphans = [p.name for p in (bundle / "media").iterdir() if p.name.startswith("take_") and p.name not in files]
        if named - kept or orphans:
            stats["lost"] += 1
        after = snapshot(case, bundle)
        if {k: v for k, v in after.items() if not k.endswith(".mp4")} != before:
            stats["writes_outside"] += 1
    return stats


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kills", type=int, default=200)
    ap.add_argument("--damaged", type=int, default=500)
    ap.add_argument("--recipes", type=int, default=300)
    ap.add_argument("--flips", type=int, default=100)
    ap.add_argument("--writers", type=int, default=20, help="trials of two renders at once plus a window save")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        os.environ["STUDIO_DATA_DIR"] = str(work / "data")
        os.environ.setdefault("STUDIO_LOG_DIR", str(work / "logs"))
        from tests.support.cameos import no_os_keyring

        results = {}
        with no_os_keyring():
            for name, fn, n in (("kill-mid-save", kill_mid_save, args.kills),
                                ("damaged project files", damaged_projects, args.damaged),
                                ("hostile recipes", hostile_recipes, args.recipes),
                                ("byte flips in signed files", byte_flips, args.flips),
                                ("two writers at once", two_writers, args.writers)):
                folder = work / name.replace(" ", "_")
                folder.mkdir()
                t0 = time.monotonic()
                results[name] = fn(n, rng, folder) if n else None
                if results[name] is not None:
                    results[name]["seconds"] = round(time.monotonic() - t0, 1)
    print(f"{'attack':<28} {'runs':>5} {'tracebacks':>10} {'writes outside':>14} {'lost takes':>10} {'% altered':>9}")
    for name, r in results.items():
        if r is None:
            continue
        lost = r.get("lost", r.get("left_behind", "-"))
        pct = f"{r['pct_altered']:.1f}" if "pct_altered" in r else "-"
        print(f"{name:<28} {r['runs']:>5} {r['tracebacks']:>10} {r.get('writes_outside', 0):>14} {lost!s:>10} {pct:>9}")
    print(json.dumps(results, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
