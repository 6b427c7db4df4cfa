#!/usr/bin/env bash
# The remediation variants of the app (-c mfaRule:remediation=manual|automatic x both actions, and the opt-in that
# denies access keys too): each synthesized and checked with cdk-nag and cfn-lint, and each EnforceMfa policy run
# through @cloud-copilot/iam-simulate. `cdk ls --output` synthesizes without bundling the rule's asset: it is the same
# one check-templates.sh publishes and checks, and remediation changes only the templates.
# Usage: infra/remediation/check-variants.sh [output dir, default cdk.out.remediation]
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-cdk.out.remediation}"
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1 JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
export AWS_EC2_METADATA_DISABLED=true CDK_DISABLE_CLI_TELEMETRY=true
command -v node >/dev/null 2>&1 || { echo "error: node is needed for cdk, cdk-nag and iam-simulate" >&2; exit 1; }

# name | context | access keys under the enforcement policy (allowed, denied, or - for no policy)
variants=(
  "manual-enforce|-c mfaRule:remediation=manual -c mfaRule:remediationAction=EnforceMfa|allowed"
  "automatic-enforce|-c mfaRule:remediation=automatic -c mfaRule:remediationAction=EnforceMfa|allowed"
  "automatic-enforce-keys|-c mfaRule:remediation=automatic -c mfaRule:remediationAction=EnforceMfa -c mfaRule:remediationDenyAccessKeys=true|denied"
  "manual-disable|-c mfaRule:remediation=manual -c mfaRule:remediationAction=DisableConsoleAccess|-"
  "automatic-disable|-c mfaRule:remediation=automatic -c mfaRule:remediationAction=DisableConsoleAccess|-"
)
rm -rf "$out"
for variant in "${variants[@]}"; do
  IFS='|' read -r name context keys <<<"$variant"
  printf '\n== remediation variant %s: %s\n' "$name" "$context"
  # shellcheck disable=SC2086 # the context is a list of -c flags
  npx --no-install cdk ls --no-notices --output "$out/$name" \
    -c mfaRule:account=123456789012 -c mfaRule:region=eu-west-1 $context >/dev/null
  node infra/nag/check-nag.js "$out/$name"
  cfn-lint --ignore-checks W3005 -- "$out/$name"/*.template.json
  if [ "$keys" != "-" ]; then
    node infra/remediation/check-enforcement-policy.js "$out/$name/MfaConfigRule.template.json" "$keys"
  fi
done
printf '\nremediation variants OK: %s\n' "${#variants[@]}"
