# Sourced by scripts/test and scripts/serve: make sure .venv exists and has the project
# (editable, with the test extra) installed. Re-installs only when pyproject.toml changed.
# Set PYTHON to choose the interpreter (Python 3.11 or newer).

find_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
        [ -n "$candidate" ] || continue
        command -v "$candidate" >/dev/null 2>&1 || continue
        if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    echo "icok: Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)" >&2
    return 1
}

ensure_venv() {
    local root stamp python
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
    stamp="$root/.venv/.icok-installed"
    if [ ! -x "$root/.venv/bin/python" ]; then
        python="$(find_python)"
        echo "Creating .venv with $python ($("$python" --version 2>&1))" >&2
        "$python" -m venv "$root/.venv"
    fi
    if [ ! -f "$stamp" ] || [ "$root/pyproject.toml" -nt "$stamp" ]; then
        echo "Installing icok and its test dependencies into .venv" >&2
        "$root/.venv/bin/python" -m pip install --quiet --disable-pip-version-check \
            --upgrade pip >&2
        "$root/.venv/bin/python" -m pip install --quiet --disable-pip-version-check \
            -e "$root[test]" >&2
        touch "$stamp"
    fi
}
