"""``python -m cxtext``: the same command line as ``cxtext``."""

from cxtext.cli import app

if __name__ == "__main__":
    app(prog_name="cxtext")
