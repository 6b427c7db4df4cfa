#!/usr/bin/env bash
# The release: what platform teams deploy through their own channels, built into one folder with a SHA256SUMS file.
#   mfa-config-rule-VERSION-lambda.zip         the Native AOT bootstrap for provided.al2023 (x86_64), deterministic zip
#   mfa-config-rule-account.template.json/.yaml the per-account template (plain CloudFormation: code from CodeBucket/CodeKey)
#   mfa-config-rule-evaluate-role-policy.json   the evaluate function's IAM statements, read from that template and
#                                               checked against the Service Authorization Reference
#   mfa-config-rule-conformance-pack.yaml       the rule as a conformance pack, naming each account's own function
#   cfct/                                       a Customizations for Control Tower manifest entry and its template
#   lza/                                        a Landing Zone Accelerator security-config.yaml rule and the files it names
# The version (`mfa-config-rule --version`) is in the zip's name and in every template's description.
# The channels and the commands that deploy each: docs/release.md.
#
# Usage: bash infra/release.sh OUT_DIR     (OUT_DIR absent or empty)
# MFA_RULE_BINARY=path packages that Native AOT binary (CI passes the one the end-to-end tests run) instead of
# publishing rule/ again. Needs: .NET SDK, Node.js with npm ci done, Python 3 with PyYAML (cfn-lint brings it).
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: bash infra/release.sh OUT_DIR" >&2; exit 2; }
mkdir -p "$1"
out=$(cd "$1" && pwd)
cd "$(dirname "$0")/.."
if [ -n "$(ls -A "$out")" ]; then
  echo "release: $out is not empty; give an empty or new folder (nothing in it is overwritten)" >&2
  exit 2
fi
python3 -c 'import yaml' 2>/dev/null || { echo "release: needs Python 3 with PyYAML (python3 -m pip install pyyaml)" >&2; exit 2; }
[ -x node_modules/.bin/cdk ] || { echo "release: node_modules/.bin/cdk is missing; run npm ci first" >&2; exit 2; }
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1 JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
export AWS_EC2_METADATA_DISABLED=true CDK_DISABLE_CLI_TELEMETRY=true DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
started=$SECONDS
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. The binary: the one given, or a publish exactly as the CDK app's bundler does it (infra/Bundling/AotBootstrapBundler.cs).
if [ -n "${MFA_RULE_BINARY:-}" ]; then
  binary=$MFA_RULE_BINARY
  [ -f "$binary" ] || { echo "release: MFA_RULE_BINARY=$binary, but there is no file there" >&2; exit 2; }
  echo "release: packaging $binary (MFA_RULE_BINARY)"
else
  echo "release: dotnet publish rule/ (Native AOT, linux-x64)"
  dotnet publish rule/MfaConfigRule.csproj -c Release -r linux-x64 -p:PublishAot=true -o "$work/publish" -nologo -v quiet >&2
  binary=$work/publish/mfa-config-rule
fi
if [ "$(head -c 4 "$binary" | od -An -tx1 | tr -d ' \n')" != "7f454c46" ]; then
  echo "release: $binary is not an ELF executable: Lambda's provided.al2023 runs the Native AOT binary, not a JIT build" >&2
  exit 2
fi
informational=$("$binary" --version)
version=${informational%%+*}
if ! [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
  echo "release: '$binary --version' printed '$informational', not a version" >&2
  exit 1
fi
zip_name="mfa-config-rule-$version-lambda.zip"

# 2. The zip: one entry, bootstrap, mode 0755, a fixed timestamp, so the same binary always gives the same bytes.
python3 infra/release/package.py "$binary" "$out/$zip_name"

# 3. The per-account template, synthesized by the CDK app; then everything derived from it.
echo "release: cdk synth -c mfaRule:deployment=account-template"
npx --no-install cdk synth --quiet --no-notices --output "$work/assembly" -c mfaRule:deployment=account-template >&2
template=$work/assembly/MfaConfigRuleAccount.template.json
[ -f "$template" ] || { echo "release: the synthesis wrote no $(basename "$template")" >&2; exit 1; }
python3 infra/release/artifacts.py "$template" "$out" "$version" "$informational" "$zip_name"
# The role policy file is IAM written outside any template: the same IAM data check as every synthesized template.
node infra/release/check-role-policy.js "$out/mfa-config-rule-evaluate-role-policy.json"

# 4. The checksums, over every file, verifiable with sha256sum -c.
(cd "$out" && find . -type f ! -name SHA256SUMS | sed 's|^\./||' | LC_ALL=C sort | xargs -d '\n' sha256sum > SHA256SUMS)
(cd "$out" && sha256sum --quiet -c SHA256SUMS)
echo "release: $version ($informational) in $out, $(stat -c %s "$out/$zip_name") byte zip, $((SECONDS - started)) s"
