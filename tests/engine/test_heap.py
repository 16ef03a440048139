"""Full garbage collections stay off what the process imported (a 1 s pause on the UI thread otherwise)."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_first_job_that_imports_libraries_freezes_them_out_of_full_collections(tmp_path):
    # A fresh process, so what is frozen and imported is known: an engine whose first job imports
    # a module that builds 200,000 long-lived objects (torch and diffusers make ~450,000).
    (tmp_path / "heavylib.py").write_text("TABLE = [[i] for i in range(200_000)]\n")
    script = textwrap.dedent(f"""
        import gc, sys
        sys.path.insert(0, {str(tmp_path)!r})
        from studio.engine import registry
        from studio.engine.protocol import EngineResult, Finished, GenerateRequest
        from studio.engine.runner import EngineWorker
        from tests.support.projects import small_project

        class HeavyEngine:
            name = "heavy"
            def generate(self, request, emit, cancel):
                import heavylib  # noqa: F401  (what a diffusers engine does with torch on its first job)
                raise RuntimeError("no picture needed")

        registry.register("heavy", HeavyEngine)
        project = small_project("a ball", frames=2)
        request = GenerateRequest.for_shot(project, project.shots[0], engine="heavy")
        import threading
        ended = threading.Event()
        worker = EngineWorker(lambda event: ended.set() if type(event).__name__ == "Failed" else None)
        worker.submit(request)
        assert ended.wait(60)
        worker.shutdown(timeout=30)  # joins the worker once its job (and what follows it) is done
        walked = len(gc.get_objects(generation=2))
        print(gc.get_freeze_count(), walked, "heavylib" in sys.modules)
        frozen_again = __import__("studio.engine.runner", fromlist=["x"]).freeze_imported_objects()
        print(frozen_again)
    """)
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    frozen, walked, imported, again = out.stdout.split()
    # The imported table is frozen: a full pass walks far fewer objects than it holds.
    assert imported == "True" and int(frozen) > 200_000 and int(walked) < 20_000, (frozen, walked)
    # With nothing imported since, a later call freezes nothing (ordinary garbage is never frozen).
    assert again == "False"


def test_nothing_is_frozen_when_no_module_was_imported():
    from studio.engine.runner import freeze_imported_objects

    freeze_imported_objects()
    before = gc.get_freeze_count()
    assert freeze_imported_objects() is False
    assert gc.get_freeze_count() == before
