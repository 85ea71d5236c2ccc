# What README's two commands need, checked before they start: each missing tool is named on one line with what
# to install (Debian/Ubuntu package names; other systems have the same tools). Uses bash builtins only, so that it
# can say what is missing whatever the PATH holds. Source it, then: require demo | require ci
# shellcheck shell=bash

_missing=()

_need() { # COMMAND WHAT-FOR HOW-TO-INSTALL
  command -v "$1" >/dev/null 2>&1 || _missing+=("missing: $1 ($2): $3")
}

_java_major() {
  local line
  line=$(java -version 2>&1) || return 1
  [[ $line =~ version\ \"([0-9]+)(\.([0-9]+))? ]] || return 1
  if [[ ${BASH_REMATCH[1]} == 1 ]]; then echo "${BASH_REMATCH[3]}"; else echo "${BASH_REMATCH[1]}"; fi
}

require() { # demo | ci
  _missing=()
  _need java "Java 17 or newer runs FuseML and builds it" "apt-get install openjdk-17-jdk-headless"
  if command -v java >/dev/null 2>&1; then
    local major
    major=$(_java_major) || major=0
    ((major >= 17)) || _missing+=("too old: java is version ${major:-unknown}; FuseML needs 17 or newer: apt-get install openjdk-17-jdk-headless, or set JAVA_HOME and PATH to a newer JDK")
  fi
  _need mvn "Maven 3.8+ builds FuseML" "apt-get install maven"
  _need git "codesets are git repositories; tests clone and push them" "apt-get install git"
  _need python3 "users' environments are Python venvs" "apt-get install python3 python3-venv"
  if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    _missing+=("missing: python3's venv module (the build step makes a venv per environment): apt-get install python3-venv")
  fi
  if [[ ${1:-demo} == demo ]]; then
    _need curl "the demo asks the served model for a prediction" "apt-get install curl"
  else
    _need node "the tests drive the broker and the MLflow API with JavaScript clients (CloudEvents SDK, npm mlflow)" "apt-get install nodejs"
    _need npm "installs those JavaScript clients (npm ci)" "apt-get install npm"
  fi
  if ((${#_missing[@]} > 0)); then
    printf '%s\n' "${_missing[@]}" >&2
    return 1
  fi
}
