#!/usr/bin/env bash
# Runs the rule on this machine against the local AWS double: no AWS account, nothing leaves 127.0.0.1.
#
#   bash samples/run-local.sh [USERS]
#
# It starts the double (tests/AwsDouble) with USERS generated IAM users (default 40) covering every MFA case,
# creates the Config rule and a result token through the double's control endpoint, runs a scheduled Config event
# (samples/events/scheduled.json) through the rule exactly as the Lambda function would, prints the verdict table
# and what Config now holds, and stops the double.
#
# MFA_RULE_BINARY: a published rule binary to run instead of `dotnet run --project rule` (CI and tests use this).
# AWS_DOUBLE_PORT: the port for the double (default: any free port).
set -euo pipefail
cd "$(dirname "$0")/.."

users="${1:-40}"
port="${AWS_DOUBLE_PORT:-0}"
rule_name="iam-user-console-mfa"   # the rule the sample events name
log="$(mktemp)"
event="$(mktemp --suffix=.json)"
double_pid=""

stop_double() {
  if [[ -n "$double_pid" ]]; then
    # The double runs in its own process group (dotnet run and the server it starts): stop both.
    kill -TERM -- "-$double_pid" 2>/dev/null || true
    wait "$double_pid" 2>/dev/null || true
    double_pid=""
  fi
  rm -f "$log" "$event"
}
trap stop_double EXIT

# Nothing from this shell may point the rule at a real account or make it think it runs in Lambda.
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE \
      AWS_LAMBDA_RUNTIME_API AWS_ENDPOINT_URL_IAM AWS_ENDPOINT_URL_STS AWS_ENDPOINT_URL_CONFIG_SERVICE AWS_ENDPOINT_URL_CLOUDTRAIL
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true

echo "Starting the AWS double with $users users (the first start builds it)..." >&2
setsid dotnet run --project tests/AwsDouble -- --port "$port" --seed samples-style-population --users "$users" \
  --report-delay-seconds 0 >"$log" 2>&1 &
double_pid=$!

url=""
for _ in $(seq 1 1500); do
  url="$(sed -n 's/^AwsDouble listening on \(http[^ ]*\)$/\1/p' "$log")"
  [[ -n "$url" ]] && break
  if ! kill -0 "$double_pid" 2>/dev/null; then
    cat "$log" >&2
    echo "error: the AWS double did not start" >&2
    exit 2
  fi
  sleep 0.2
done
if [[ -z "$url" ]]; then
  cat "$log" >&2
  echo "error: the AWS double did not say where it listens within 5 minutes" >&2
  exit 2
fi
echo "AWS double at $url" >&2

# The keys the double printed for its account, and every AWS endpoint pointed at it.
AWS_ACCESS_KEY_ID="$(sed -n 's/^ *export AWS_ACCESS_KEY_ID=//p' "$log")"
AWS_SECRET_ACCESS_KEY="$(sed -n 's/^ *export AWS_SECRET_ACCESS_KEY=//p' "$log")"
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_ENDPOINT_URL="$url"

# The Config rule and a result token for this run, as Config would put it in the event.
token="$(curl -sf -X POST "${url}_double/config/result-token" -d "{\"region\":\"us-east-1\",\"ruleName\":\"$rule_name\"}" \
  | sed -n 's/.*"resultToken": *"\([^"]*\)".*/\1/p')"
if [[ -z "$token" ]]; then
  echo "error: the double gave no result token" >&2
  exit 2
fi
sed "s/\"resultToken\": \"TESTMODE\"/\"resultToken\": \"$token\"/" samples/events/scheduled.json >"$event"

if [[ -n "${MFA_RULE_BINARY:-}" ]]; then
  rule=("$MFA_RULE_BINARY")
else
  echo "Building and running the rule (dotnet run --project rule)..." >&2
  rule=(dotnet run --project rule --)
fi
echo >&2
echo "mfa-config-rule invoke --event samples/events/scheduled.json (with a real result token):" >&2
set +e
"${rule[@]}" invoke --event "$event"
status=$?
set -e

echo
echo "What Config now holds for $rule_name:"
curl -sf "${url}_double/config/evaluations?region=us-east-1&rule=$rule_name" \
  | sed -n 's/.*"complianceType": *"\([A-Z_]*\)".*/\1/p' | sort | uniq -c

case "$status" in
  0) echo "Exit 0: no user needs MFA." ;;
  1) echo "Exit 1 from the rule: NON_COMPLIANT users found (the sample population has some, on purpose)."; status=0 ;;
  *) echo "error: the rule failed (exit $status)" >&2 ;;
esac
exit "$status"
