# shellcheck shell=bash
# Turns a sweep LIST (a folder of configs, or a file naming one config per line) into entries,
# one per array task. Sourced by slurm/sweep.sbatch.
#
# A list file: one entry a line, `CONFIG [qnncut train options]`, e.g.
#     iris.yaml --set model.cuts=1
# '#' starts a comment; blank lines are skipped; CONFIG is relative to the list file's folder;
# options are split at whitespace (no quoting). A folder: every *.yaml / *.yml in it, sorted.
# Each entry's results folder name is the config's file name without extension, plus its options
# (e.g. iris_model.cuts=1), so names stay stable when the list is reordered or extended.

# sweep_entries LIST: fills the arrays sweep_configs, sweep_options (one string each) and
# sweep_names; fails when LIST is empty, missing, or gives two entries the same name.
sweep_entries() {
  local list=$1 folder line config options option name i j
  sweep_configs=(); sweep_options=(); sweep_names=()
  if [ -d "$list" ]; then
    while IFS= read -r config; do
      sweep_configs+=("$config"); sweep_options+=("")
    done < <(find "$list" -maxdepth 1 -type f \( -name '*.yaml' -o -name '*.yml' \) | LC_ALL=C sort)
  elif [ -f "$list" ]; then
    folder=$(dirname "$list")
    while IFS= read -r line || [ -n "$line" ]; do
      line=${line%%#*}
      read -r config options <<<"$line" || true
      [ -n "$config" ] || continue
      # Tidy relative paths (a/../b → b); relative to here when inside this folder, else absolute.
      case "$config" in /*) ;; *) config=$(realpath -s -m --relative-to="$PWD" "$folder/$config") ;; esac
      case "$config" in ../*) config=$(realpath -s -m "$config") ;; esac
      sweep_configs+=("$config"); sweep_options+=("$options")
    done < "$list"
  else
    job_fail "sweep list $list: no such file or folder"
  fi
  [ ${#sweep_configs[@]} -gt 0 ] || job_fail "sweep list $list names no configs"

  for i in "${!sweep_configs[@]}"; do
    name=$(basename "${sweep_configs[$i]}"); name=${name%.*}
    for option in ${sweep_options[$i]}; do
      [ "$option" = --set ] && continue
      option=${option#--}; option=${option#-}
      name+="_${option//\//-}"
    done
    for j in "${!sweep_names[@]}"; do
      [ "${sweep_names[$j]}" != "$name" ] || job_fail "sweep list $list: entries $j and $i both name the run folder $name: give one of them different options or file name"
    done
    sweep_names+=("$name")
  done
}
