#!/bin/bash
# The part of the official nginx image's entrypoint that docker-compose.yml relies on.
set -eu
if [[ ${1:-} == nginx || ${1:-} == nginx-debug ]]; then
  for f in $(find /docker-entrypoint.d/ -follow -type f 2>/dev/null | sort); do
    case $f in
      *.envsh) if [[ -x $f ]]; then echo "$0: sourcing $f"; . "$f"; fi ;;
      *.sh) if [[ -x $f ]]; then echo "$0: running $f"; "$f"; fi ;;
    esac
  done
  template_dir=${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}
  output_dir=${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}
  suffix=${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}
  defined_envs=$(printf '${%s} ' $(env | cut -d= -f1))
  for template in $(find "$template_dir" -follow -type f -name "*$suffix" 2>/dev/null); do
    relative=${template#"$template_dir/"}
    output=$output_dir/${relative%"$suffix"}
    mkdir -p "$(dirname "$output")"
    echo "$0: rendering $template to $output"
    envsubst "$defined_envs" <"$template" >"$output"
  done
fi
exec "$@"
