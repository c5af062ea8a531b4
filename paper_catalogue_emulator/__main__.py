"""``python -m paper_catalogue_emulator serve|run``: the loopback emulator from the command line (FIXTURE DATA)."""

from __future__ import annotations

import argparse
import subprocess
import sys
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

from paper_catalogue_emulator.growth import GrowthStateError
from paper_catalogue_emulator.papers import Corpus, load_seed_corpus, synthetic_corpus
from paper_catalogue_emulator.server import ARXIV_PATH, S2_PREFIX, Emulator

BANNER = "*** emulator: FIXTURE DATA (made-up metadata for offline tests and the demo), not real API answers ***"


def _corpus(spec: str) -> Corpus:
    if spec == "seed":
        return load_seed_corpus()
    if spec.startswith("synthetic:"):
        return synthetic_corpus(int(spec.split(":", 1)[1]))
    raise SystemExit(f"--corpus must be 'seed' or 'synthetic:N', not {spec!r}")


def _start(emu: Emulator, port: int) -> None:
    try:
        emu.start()
    except GrowthStateError as e:
        print(f"emulator: {e}", file=sys.stderr)
        raise SystemExit(2) from None
    except OSError as e:
        print(
            f"emulator: cannot listen on 127.0.0.1:{port}: port already in use ({e.strerror})",
            file=sys.stderr,
        )
        raise SystemExit(2) from None


def _growth_line(emu: Emulator) -> str | None:
    """The banner's second line when counts are simulated to grow, so no one takes the change for real."""
    if emu.citation_growth is None:
        return None
    return (
        f"citation growth: ON, epoch {emu.epoch} (simulated, FIXTURE: counts advance once per emulator start; "
        f"state {emu.citation_growth})"
    )


def _print_banner(emu: Emulator) -> None:
    print(BANNER)
    growth = _growth_line(emu)
    if growth:
        print(growth)


def cmd_serve(args: argparse.Namespace) -> int:
    emu = Emulator(
        corpus=_corpus(args.corpus),
        arxiv_interval_s=args.arxiv_interval,
        s2_interval_s=args.s2_interval,
        port=args.port,
        citation_growth=args.citation_growth,
    )
    _start(emu, args.port)
    _print_banner(emu)
    print(f"arXiv API:            {emu.arxiv_url}  (min interval {args.arxiv_interval} s)")
    print(f"Semantic Scholar API: {emu.s2_url}  (min interval {args.s2_interval} s)")
    print(
        f"corpus: {len(emu.corpus)} papers; control: {emu.base_url}/_emulator/stats; Ctrl-C to stop",
        flush=True,
    )
    try:
        emu.serve_forever()
    except KeyboardInterrupt:
        emu.stop()
    return 0


def _endpoint(cfg: dict, section: str, expected_path: str) -> tuple[int, float]:
    sec = cfg.get(section) or {}
    base = sec.get("base_url")
    if not base:
        raise SystemExit(_fail(f"[{section}] base_url is missing from the config"))
    u = urlsplit(base)
    if u.scheme != "http" or u.hostname not in ("127.0.0.1", "localhost"):
        raise SystemExit(
            _fail(
                f"[{section}] base_url {base!r} is not a loopback http URL (127.0.0.1 or localhost); "
                "the emulator only serves loopback"
            )
        )
    if u.port is None:
        raise SystemExit(_fail(f"[{section}] base_url {base!r} has no port"))
    if u.path.rstrip("/") != expected_path:
        raise SystemExit(_fail(f"[{section}] base_url path must be {expected_path}, not {u.path!r}"))
    return u.port, float(sec.get("min_interval_s", 0.0))


def _fail(msg: str) -> int:
    print(f"emulator: {msg}", file=sys.stderr)
    return 2


def cmd_run(args: argparse.Namespace) -> int:
    cmd = list(args.cmd)
    if cmd and cmd[0] == "--":
        cmd = cmd[1:]
    if not cmd:
        return _fail("run needs a command after --")
    try:
        cfg = tomllib.loads(Path(args.config).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        return _fail(f"cannot read config {args.config}: {e}")
    a_port, a_int = _endpoint(cfg, "arxiv", ARXIV_PATH)
    s_port, s_int = _endpoint(cfg, "semantic_scholar", S2_PREFIX)
    if a_port != s_port:
        return _fail(f"[arxiv] and [semantic_scholar] base_url must share one port (got {a_port} and {s_port})")
    emu = Emulator(
        corpus=_corpus(args.corpus),
        arxiv_interval_s=a_int,
        s2_interval_s=s_int,
        port=a_port,
        citation_growth=args.citation_growth,
    )
    _start(emu, a_port)
    _print_banner(emu)
    sys.stdout.flush()
    try:
        try:
            code = subprocess.run(cmd).returncode
        except FileNotFoundError:
            print(f"emulator: command not found: {cmd[0]}", file=sys.stderr)
            code = 127
        except KeyboardInterrupt:
            code = 130
        st = emu.stats()
    finally:
        emu.stop()
    print(
        f"emulator (FIXTURE DATA): arXiv {st['arxiv']['requests']} requests "
        f"(too early: {st['arxiv']['too_early']}), "
        f"Semantic Scholar {st['s2']['requests']} requests (too early: {st['s2']['too_early']})",
        flush=True,
    )
    return code


GROWTH_HELP = (
    "turn on simulated citation growth (FIXTURE, off by default): each start advances the epoch kept in this "
    "JSON state file by one and serves every paper's counts grown to it (deterministic, never decreasing); "
    "the demo passes data/demo/emulator-epoch.json"
)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m paper_catalogue_emulator", description=__doc__)
    sub = ap.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="serve both APIs in the foreground")
    s.add_argument("--port", type=int, default=8765)
    s.add_argument("--arxiv-interval", type=float, default=3.0)
    s.add_argument("--s2-interval", type=float, default=1.0)
    s.add_argument("--corpus", default="seed", help="seed | synthetic:N")
    s.add_argument("--citation-growth", metavar="STATE_FILE", help=GROWTH_HELP)
    s.set_defaults(func=cmd_serve)
    r = sub.add_parser("run", help="serve on the config's port while CMD runs, then report request counts")
    r.add_argument("--config", required=True)
    r.add_argument("--corpus", default="seed", help="seed | synthetic:N")
    r.add_argument("--citation-growth", metavar="STATE_FILE", help=GROWTH_HELP)
    r.add_argument("cmd", nargs=argparse.REMAINDER)
    r.set_defaults(func=cmd_run)
    args = ap.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
