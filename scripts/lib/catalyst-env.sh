# Sourced by scripts/backup and scripts/restore: the service's configuration and how to act as it.
#   CATALYST_ENV_FILE  the env file the unit reads (default /etc/catalyst/catalyst.env)
#   CATALYST_KEY_FILE  the API key's env file, read after it as the unit does (default /etc/catalyst/api-key.env)
#   CATALYST_BIN       the binary (default /usr/local/bin/catalyst)

CATALYST_ENV_FILE=${CATALYST_ENV_FILE:-/etc/catalyst/catalyst.env}
CATALYST_KEY_FILE=${CATALYST_KEY_FILE:-/etc/catalyst/api-key.env}
CATALYST_BIN=${CATALYST_BIN:-/usr/local/bin/catalyst}

# KEY=value lines as systemd reads them, never evaluated by the shell (secrets may hold $, ;, &).
for env_file in "$CATALYST_ENV_FILE" "$CATALYST_KEY_FILE"; do
  [ -r "$env_file" ] || continue
  while IFS= read -r line || [ -n "$line" ]; do
    if [[ $line =~ ^[[:space:]]*([A-Z_][A-Z0-9_]*)=(.*)$ ]]; then
      export "${BASH_REMATCH[1]}=${BASH_REMATCH[2]}"
    fi
  done <"$env_file"
done
# catalyst.service sets it beside the env file.
export CATALYST_DATA_DIR=${CATALYST_DATA_DIR:-/var/lib/catalyst}

# Root runs the binary as the service user, so files it creates in the data dir stay the service's.
as_service_user() {
  if [ "$(id -u)" -eq 0 ] && id catalyst >/dev/null 2>&1; then
    runuser -u catalyst -- "$@"
  else
    "$@"
  fi
}
