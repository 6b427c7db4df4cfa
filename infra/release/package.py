#!/usr/bin/env python3
"""The Lambda package: a zip with one entry, bootstrap, mode 0755, a fixed timestamp and fixed compression, so the same
binary always gives the same bytes (and the same SHA-256), on any machine and at any time.

Usage: package.py BINARY ZIP
"""
import sys
import zipfile


def main():
    if len(sys.argv) != 3:
        print("usage: package.py BINARY ZIP", file=sys.stderr)
        sys.exit(2)
    binary, target = sys.argv[1:]
    entry = zipfile.ZipInfo("bootstrap", date_time=(1980, 1, 1, 0, 0, 0))
    entry.external_attr = 0o100755 << 16  # a regular file, rwxr-xr-x: Lambda runs it as is
    entry.create_system = 3  # Unix, so the mode above is read
    entry.compress_type = zipfile.ZIP_DEFLATED
    with open(binary, "rb") as f, zipfile.ZipFile(target, "w") as z:
        z.writestr(entry, f.read(), compresslevel=9)


if __name__ == "__main__":
    main()
