#!/usr/bin/env bash
# Synthesizes the CDK app (which publishes the Native AOT bootstrap of rule/) and checks every stack template with
# cdk-nag's AwsSolutions pack and cfn-lint. Fails on any cdk-nag finding that is not suppressed with a reason, and on
# any cfn-lint error or warning. Needs: .NET SDK, Node.js >= 20 with npm, Python with cfn-lint.
#
# Synthesizes the fullest variant: rule outside us-east-1 (so the us-east-1 forwarding custom resources exist) and the
# optional recorder.
# Usage: infra/check-templates.sh [output dir, default cdk.out.check]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-cdk.out.check}"

export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
# No AWS account is needed to synthesize: do not wait for instance metadata or send CLI telemetry.
export AWS_EC2_METADATA_DISABLED=true
export CDK_DISABLE_CLI_TELEMETRY=true

step() { printf '\n== %s\n' "$*"; }
started=$SECONDS

if [ ! -x node_modules/.bin/cdk ] || [ ! -d node_modules/cdk-nag ]; then
  step "npm ci (aws-cdk CLI, aws-cdk-lib, cdk-nag, pinned in package-lock.json)"
  npm ci --no-audit --no-fund
fi
if ! command -v cfn-lint >/dev/null 2>&1; then
  step "pip install cfn-lint"
  python3 -m pip install --quiet 'cfn-lint==1.51.0'
fi

step "cdk synth -> $out"
t=$SECONDS
rm -rf "$out"
npx --no-install cdk synth --quiet --no-notices --output "$out" \
  -c mfaRule:account=123456789012 -c mfaRule:region=eu-west-1 -c mfaRule:createRecorder=true
synth_seconds=$((SECONDS - t))
ls "$out"/*.template.json

step "cdk-nag AwsSolutions"
t=$SECONDS
node infra/nag/check-nag.js "$out"
nag_seconds=$((SECONDS - t))

step "cfn-lint $(cfn-lint --version | awk '{print $2}')"
t=$SECONDS
# W3005 (DependsOn already implied by a GetAtt) is written by CDK's own Lambda Function construct.
cfn-lint --ignore-checks W3005 -- "$out"/*.template.json
lint_seconds=$((SECONDS - t))

bash infra/remediation/check-variants.sh "$out.remediation"

printf '\ntemplates OK: synth %ss, cdk-nag %ss, cfn-lint %ss, total %ss\n' \
  "$synth_seconds" "$nag_seconds" "$lint_seconds" "$((SECONDS - started))"
