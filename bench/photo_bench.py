"""Photo intake: time and peak memory of preparing photos, each case in a fresh process.

    .venv/bin/python bench/photo_bench.py      # or: make bench-photos
    BENCH_RUNS=5 .venv/bin/python bench/photo_bench.py

Cases (inputs made here with Pillow, photo-like content: smooth shapes plus sensor noise):
  12mp-jpeg    a phone photo, 4000 × 3000 JPEG with EXIF (camera, GPS, orientation 6).
               Target (issue 8): ≤ 1 s and ≤ 300 MB peak worker memory.
  60mp-jpeg    8944 × 6708, just under the 60 MP budget (and under 10 MB).
  12mp-heic    the same 12 MP photo as an iPhone sends it (HEIC).
  24mp-png     6000 × 4000 PNG: no scaled decoding for PNG, the worst format we take.
  six-12mp     one /report with six 12 MP photos: time to prepare them (before the unit of
               work) against the time save_photos() takes inside it (writing prepared bytes:
               what SQLite's write lock now waits for).

Each case runs in a child process that first builds the app (as a gunicorn worker has it) and
reads the file, then prepares it BENCH_RUNS times through uploads.services.prepare_photo.
Peak memory is the child's peak RSS (VmHWM: Pillow's C buffers count, unlike tracemalloc's
figure, which sees only Python objects; both are printed) and the rise over the RSS
it had before the first photo. Prints a table and writes bench/out/<time>-photos.json.
Exit status 1 when the 12 MP targets are missed.
"""

import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
TARGET_SECONDS, TARGET_MB = 1.0, 300


def _status_mb(key: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key):
            return int(line.split()[1]) / 1024
    raise KeyError(key)


def rss_mb() -> float:
    return _status_mb("VmRSS:")


def peak_rss_mb() -> float:
    """The process's high-water RSS. VmHWM, not getrusage's ru_maxrss: Linux carries
    ru_maxrss over exec from the parent, which made the inputs and had a bigger one."""
    return max(_status_mb("VmHWM:"), 0.0)


# ---------------------------------------------------------------- inputs (parent)


def photo_like(size, noise: bool = True):
    """Not a flat colour (which JPEG squeezes to nothing): gradients, shapes and noise."""
    from PIL import Image, ImageDraw, ImageFilter

    width, height = size
    small = Image.linear_gradient("L").resize((width // 8, height // 8)).convert("RGB")
    draw = ImageDraw.Draw(small)
    for i in range(40):
        x, y = (i * 97) % small.width, (i * 61) % small.height
        draw.ellipse(
            (x, y, x + small.width // 6, y + small.height // 5),
            fill=((i * 53) % 256, (i * 91) % 256, (i * 37) % 256),
        )
    image = small.filter(ImageFilter.GaussianBlur(2)).resize(size, Image.Resampling.BICUBIC)
    if not noise:
        return image
    grain = Image.effect_noise((width // 2, height // 2), 18).convert("RGB").resize(size)
    return Image.blend(image, grain, 0.12)


def make_inputs(folder: Path) -> dict[str, Path]:
    import pillow_heif

    from tests.uploads.images import phone_exif

    pillow_heif.register_heif_opener()
    exif = phone_exif(orientation=6)
    twelve = photo_like((4000, 3000))
    files = {}

    def write(name, image, fmt, **params):
        path = folder / name
        image.save(path, fmt, **params)
        files[name.rsplit(".", 1)[0]] = path

    write("12mp-jpeg.jpg", twelve, "JPEG", quality=90, exif=exif)
    write("12mp-heic.heic", twelve, "HEIF", quality=80, exif=exif)
    del twelve
    write("60mp-jpeg.jpg", photo_like((8944, 6708)), "JPEG", quality=75, exif=exif)
    # A scan or a huge screenshot: flat areas, as PNGs are; no noise, or it would pass 10 MB.
    write("24mp-png.png", photo_like((6000, 4000), noise=False), "PNG")
    return files


# ---------------------------------------------------------------- one case (child)


def child(path: str, copies: int) -> dict:
    from werkzeug.datastructures import FileStorage

    from coordinator import create_app
    from coordinator.config import TestConfig
    from coordinator.extensions import db
    from coordinator.uploads import services

    upload_dir = tempfile.mkdtemp(prefix="photo-bench-")
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(UPLOAD_FOLDER=upload_dir)
    app = create_app(config)
    data = Path(path).read_bytes()

    def upload():
        return FileStorage(stream=io.BytesIO(data), filename=Path(path).name)

    with app.app_context(), app.test_request_context():
        # Warm: imports, codecs, the ORM's mappers (configured at the first Photo made).
        services.save_photos([upload()], "case", 1)
        db.session.rollback()
        before = rss_mb()
        tracemalloc.start()
        times, prepared = [], []
        for _ in range(RUNS):
            started = time.perf_counter()
            prepared = services.prepare_photos([upload() for _ in range(copies)], max_count=copies)
            times.append(time.perf_counter() - started)
        python_peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        started = time.perf_counter()
        services.save_photos(prepared, "case", 1, max_count=copies)
        stored = time.perf_counter() - started
        db.session.rollback()  # the after_rollback hook removes the files again
    first = prepared[0]
    return {
        "input_mb": round(len(data) / 2**20, 2),
        "seconds": round(min(times), 3),
        "seconds_median": round(statistics.median(times), 3),
        "rss_before_mb": round(before),
        "peak_rss_mb": round(peak_rss_mb()),
        "rise_mb": round(peak_rss_mb() - before),
        "python_peak_mb": round(python_peak, 1),
        "stored": f"{first.width}×{first.height}{first.ext}",
        "stored_kb": round(len(first.data) / 1024),
        "in_transaction_ms": round(stored * 1000, 1),
        "photos": copies,
    }


def run_child(path: Path, copies: int = 1) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(path), str(copies)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if out.returncode:
        sys.exit(f"{path.name}: {out.stderr.strip().splitlines()[-1]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="photo-bench-in-") as folder:
        files = make_inputs(Path(folder))
        results = {name: run_child(path) for name, path in files.items()}
        results["six-12mp"] = run_child(files["12mp-jpeg"], copies=6)
    print(
        f"{'case':<11} {'input':>7} {'s (min)':>8} {'s (med)':>8} {'peak RSS':>9} "
        f"{'rise':>6} {'py peak':>8}  stored            in txn"
    )
    for name, r in results.items():
        print(
            f"{name:<11} {r['input_mb']:>5} MB {r['seconds']:>8} {r['seconds_median']:>8} "
            f"{r['peak_rss_mb']:>6} MB {r['rise_mb']:>3} MB {r['python_peak_mb']:>5} MB  "
            f"{r['stored']:<17} {r['in_transaction_ms']} ms"
        )
    twelve = results["12mp-jpeg"]
    met = twelve["seconds_median"] <= TARGET_SECONDS and twelve["peak_rss_mb"] <= TARGET_MB
    print(
        f"12 MP phone photo: {twelve['seconds_median']} s (target ≤ {TARGET_SECONDS} s), "
        f"peak RSS {twelve['peak_rss_mb']} MB (target ≤ {TARGET_MB} MB): "
        f"{'met' if met else 'MISSED'}"
    )
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / f"{time.strftime('%Y%m%d-%H%M%S')}-photos.json").write_text(
        json.dumps({"runs": RUNS, "results": results}, indent=1)
    )
    return 0 if met else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(child(sys.argv[2], int(sys.argv[3]))))
    else:
        sys.exit(main())
