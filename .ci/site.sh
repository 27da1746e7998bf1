#!/usr/bin/env bash
# Build the course website from the saved lecture notebooks into book/_build/html.
# Any Sphinx warning fails the build (-W), broken cross-references included (-n).
#   .ci/site.sh            # from anywhere; about 10 s once the environment exists
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv-site/bin/jupyter-book ]; then
  python3 -m venv .venv-site
  .venv-site/bin/pip install -q -r book/requirements.txt
fi
rm -rf book/_build
.venv-site/bin/jupyter-book build . --config book/_config.yml --toc book/_toc.yml \
  --path-output book -W -n --keep-going
# offline maths: the pages load MathJax from the site, and no script from another host
test -f book/_build/html/_static/mathjax/tex-chtml.js
if grep -rlE '<script[^>]+src="https?://' --include='*.html' book/_build/html; then
  echo "a page loads a script from the network" >&2
  exit 1
fi
