# Sourced by the other scripts: makes sure the pinned Python tools (scripts/requirements.txt)
# are installed in a virtual environment, and puts it first on PATH.
#
# The environment lives in a cache directory outside the repository, named after the hash of
# the requirements, so fresh clones reuse it and a change of pins builds a new one.
# ES_TOOLS_DIR overrides the cache directory.

_es_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
_es_requirements="$_es_root/scripts/requirements.txt"
_es_hash=$(sha256sum "$_es_requirements" | cut -c1-12)
ES_TOOLS_DIR=${ES_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/es-serverless}
ES_VENV="$ES_TOOLS_DIR/venv-$_es_hash"

_es_install() {
    [ -f "$ES_VENV/.installed" ] && return 0
    command -v python3 >/dev/null || { echo "python3 is required (see README)" >&2; return 1; }
    echo "Installing Python tools into $ES_VENV" >&2
    rm -rf "$ES_VENV"
    python3 -m venv "$ES_VENV"
    "$ES_VENV/bin/pip" install --quiet --disable-pip-version-check -r "$_es_requirements" &&
        touch "$ES_VENV/.installed"
}

if [ ! -f "$ES_VENV/.installed" ]; then
    mkdir -p "$ES_TOOLS_DIR"
    # Two scripts started at once (scripts/test and localstack/run) install it once: the second
    # waits for the first, then finds it installed.
    if command -v flock >/dev/null; then
        (flock 9 && _es_install) 9>"$ES_VENV.lock" || exit 1
    else
        _es_install || exit 1
    fi
fi

export PATH="$ES_VENV/bin:$PATH"
# The Python that has moto: test-support runs localstack/moto_serial.py with it.
export ES_PYTHON="$ES_VENV/bin/python"
