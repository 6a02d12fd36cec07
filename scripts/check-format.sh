#!/usr/bin/env bash
# Checks that the Swift code is formatted as the repository's .swift-format says: swift-format's
# lint in strict mode (every finding an error), with that configuration whatever the paths.
# Exits 0 when everything is formatted; otherwise prints the findings (file:line:column, rule)
# and the misformatted files, and exits 1.
#
#   scripts/check-format.sh            # Sources, Tests and Package.swift
#   scripts/check-format.sh PATH…      # other files or folders (relative to the repository root)
#
# To fix: swift format format -i FILE…   (or -r Sources Tests Package.swift for the whole tree).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [ $# -eq 0 ]; then set -- Sources Tests Package.swift; fi
if ! swift format --version >/dev/null 2>&1; then
  echo "check-format: 'swift format' is not available (Swift 6 toolchain needed)" >&2
  exit 2
fi

# swift-format passes a path that does not exist in silence: name it instead.
for path in "$@"; do
  if [ ! -e "$path" ]; then
    echo "check-format: no such file or folder: $path" >&2
    exit 2
  fi
done

status=0
findings=$(swift format lint --strict --recursive --configuration "$root/.swift-format" "$@" 2>&1) || status=$?
files=$(printf '%s\n' "$findings" | sed -nE 's/^(.+\.swift):[0-9]+:[0-9]+: .*/\1/p' | sort -u)
if [ "$status" -eq 0 ] && [ -z "$files" ]; then
  echo "check-format: formatted ($*)"
  exit 0
fi
printf '%s\n' "$findings"
if [ -n "$files" ]; then
  echo "check-format: $(printf '%s\n' "$files" | wc -l | tr -d ' ') file(s) not formatted (or not parsed):"
  printf '%s\n' "$files" | sed 's/^/  /'
  echo "fix with: swift format format -i <file>…"
else
  echo "check-format: swift format lint failed (exit $status)"
fi
exit 1
