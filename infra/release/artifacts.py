#!/usr/bin/env python3
"""The release folder's files that are derived from the per-account template, written by infra/release.sh.

Everything here is read from the synthesized template (MfaConfigRuleAccount.template.json), never written twice: the
function's fixed name, its role's IAM statements (the LZA role policy file), the rule's source details, scope and input
parameters (the conformance pack), and the parameters with their defaults (the CfCT manifest, the LZA rule entry).

Usage: artifacts.py TEMPLATE OUT_DIR VERSION INFORMATIONAL_VERSION ZIP_NAME
(VERSION names the S3 key, which must not hold the "+" of the informational version; descriptions carry both.)
Fails, naming what was wrong, when the template is not the shape the channels depend on.
"""
import copy
import datetime
import json
import os
import re
import shutil
import sys

import yaml

# The names below are the per-account template's contract (infra/Constructs/AccountEvaluation): the release, the docs and
# every channel's example pass them, so a rename there fails here instead of shipping an example that does not deploy.
CODE_PARAMETERS = ("CodeBucket", "CodeKey")
CREATE_RULE = "CreateRule"
RULE_NAME_PARAMETER = "RuleName"
RULE_REGION_EXAMPLE = "us-east-1"
TEMPLATE_FILE = "mfa-config-rule-account.template"
POLICY_FILE = "mfa-config-rule-evaluate-role-policy.json"
CONFORMANCE_PACK_FILE = "mfa-config-rule-conformance-pack.yaml"
EXAMPLE_CODE_BUCKET = "example-org-mfa-config-rule-code-us-east-1"
PSEUDO = {"AWS::Partition": "aws", "AWS::AccountId": "*", "AWS::Region": "*", "AWS::URLSuffix": "amazonaws.com"}


def fail(message):
    print("release: " + message, file=sys.stderr)
    sys.exit(1)


def note(message):
    print("release: " + message, file=sys.stderr)


class Dumper(yaml.SafeDumper):
    """Block style, keys in the order written, no aliases (CloudFormation and LZA read plain YAML)."""

    def ignore_aliases(self, data):
        return True


def dump_yaml(document, path, header=None):
    text = yaml.dump(document, Dumper=Dumper, sort_keys=False, default_flow_style=False, width=120, allow_unicode=True)
    with open(path, "w", encoding="utf-8") as f:
        if header:
            f.write("".join("# " + line + "\n" for line in header))
        f.write(text)


def dump_json(document, path):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(document, f, indent=1, sort_keys=False)
        f.write("\n")


def references(node):
    """Every Ref / GetAtt / Fn::Sub ${Name} / Fn::If condition name in node: (kind, name)."""
    found = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(("Ref", value))
            elif key == "Fn::GetAtt":
                found.add(("Ref", value[0] if isinstance(value, list) else value.split(".")[0]))
            elif key == "Fn::If" and isinstance(value, list) and value:
                found.add(("Condition", value[0]))
            elif key == "Condition" and isinstance(value, str):
                found.add(("Condition", value))
            elif key == "Fn::Sub":
                text = value if isinstance(value, str) else value[0]
                for name in re.findall(r"\$\{([^!}][^}]*)\}", text):
                    found.add(("Ref", name.split(".")[0]))
            found |= references(value)
    elif isinstance(node, list):
        for item in node:
            found |= references(item)
    return found


def main():
    if len(sys.argv) != 6:
        fail("usage: artifacts.py TEMPLATE OUT_DIR VERSION INFORMATIONAL_VERSION ZIP_NAME")
    template_path, out, short_version, version, zip_name = sys.argv[1:]
    with open(template_path, encoding="utf-8") as f:
        template = json.load(f)
    parameters = template.get("Parameters", {})
    resources = template.get("Resources", {})
    conditions = template.get("Conditions", {})

    # --- the template: bootstrapless, the contract's parameters, the version in its description -----------------------
    missing = [p for p in CODE_PARAMETERS + (CREATE_RULE, RULE_NAME_PARAMETER) if p not in parameters]
    if missing:
        fail(f"{template_path} lacks the parameter(s) {', '.join(missing)} the release's channels pass")
    if "BootstrapVersion" in parameters or "CheckBootstrapVersion" in template.get("Rules", {}):
        fail(f"{template_path} checks a CDK bootstrap version: it is not deployable with plain CloudFormation")
    text = json.dumps(template)
    if "cdk-hnb659fds" in text or "AssetParameters" in text:
        fail(f"{template_path} refers to CDK bootstrap assets; the code must come from the CodeBucket/CodeKey parameters")
    # The CDK app stamps its version into the description (infra/ReleaseVersion.cs); the binary's must be the same one,
    # and the description then gets the binary's build metadata (the commit) too, so a stack says exactly what runs.
    description = template.get("Description", "")
    if not re.search(r"(?<![0-9.])" + re.escape(short_version) + r"(?![0-9]|\.[0-9])", description):
        fail(f"{template_path}'s description does not carry the binary's version {short_version} "
             f"(the CDK app and the binary were built with different versions): {description!r}")
    if version not in description:
        description = f"{description} (mfa-config-rule {version})"
    stamped = {"Description": description}
    stamped.update((k, v) for k, v in template.items() if k != "Description")
    dump_json(stamped, os.path.join(out, TEMPLATE_FILE + ".json"))
    dump_yaml(stamped, os.path.join(out, TEMPLATE_FILE + ".yaml"))

    # --- the evaluate function, its role's statements, the rule -----------------------------------------------------
    code_functions = [
        (name, r) for name, r in resources.items()
        if r.get("Type") == "AWS::Lambda::Function"
        and r.get("Properties", {}).get("Code", {}).get("S3Bucket") == {"Ref": "CodeBucket"}
        and "Condition" not in r
    ]
    rules = [(name, r) for name, r in resources.items() if r.get("Type") == "AWS::Config::ConfigRule"]
    if len(rules) != 1:
        fail(f"{template_path} has {len(rules)} AWS::Config::ConfigRule resources; the release expects exactly one")
    rule_id, rule = rules[0]
    source = rule["Properties"].get("Source", {})
    evaluate = [(n, r) for n, r in code_functions if source.get("SourceIdentifier") == {"Fn::GetAtt": [n, "Arn"]}]
    if len(evaluate) != 1:
        fail(f"{template_path}: no unconditional function with code from CodeBucket is the rule's SourceIdentifier")
    function_id, function = evaluate[0]
    function_name = function["Properties"].get("FunctionName")
    if not isinstance(function_name, str):
        fail(f"{template_path}: the evaluate function {function_id} has no fixed FunctionName; a conformance pack cannot name it")
    role_ref = function["Properties"].get("Role", {}).get("Fn::GetAtt", [None])[0]
    if role_ref not in resources:
        fail(f"{template_path}: the evaluate function's Role is not a role of the template")
    handler = function["Properties"].get("Handler")
    runtime = function["Properties"].get("Runtime")
    timeout = function["Properties"].get("Timeout", 3)
    if runtime != "provided.al2023":
        fail(f"{template_path}: the evaluate function's runtime is {runtime}, not provided.al2023")

    statements = []
    policies = list(resources[role_ref].get("Properties", {}).get("Policies", []))
    for name, r in resources.items():
        if r.get("Type") in ("AWS::IAM::Policy", "AWS::IAM::RolePolicy") and {"Ref": role_ref} in r.get("Properties", {}).get("Roles", [{"Ref": r.get("Properties", {}).get("RoleName")}]):
            if "Condition" in r:
                note(f"{name}: left out of {POLICY_FILE}, it exists only under the condition {r['Condition']} (an optional part)")
                continue
            policies.append(r["Properties"])
    for policy in policies:
        for statement in policy["PolicyDocument"]["Statement"]:
            refs = {n for kind, n in references(statement) if kind == "Ref" and not n.startswith("AWS::")}
            if refs:
                note(f"a statement on {', '.join(sorted(refs))} is left out of {POLICY_FILE}: those are resources of the template, not of LZA's stack")
                continue
            statements.append(resolve(statement))
    if not statements:
        fail(f"{template_path}: the evaluate function's role has no statements to carry into {POLICY_FILE}")

    # --- CfCT: a configuration package folder (manifest + template) ---------------------------------------------------
    code_key = f"mfa-config-rule/{short_version}/{zip_name}"
    cfct = os.path.join(out, "cfct")
    os.makedirs(os.path.join(cfct, "templates"), exist_ok=True)
    shutil.copyfile(os.path.join(out, TEMPLATE_FILE + ".yaml"), os.path.join(cfct, "templates", TEMPLATE_FILE + ".yaml"))
    cfct_parameters = [
        {"parameter_key": "CodeBucket", "parameter_value": EXAMPLE_CODE_BUCKET},
        {"parameter_key": "CodeKey", "parameter_value": code_key},
        {"parameter_key": CREATE_RULE, "parameter_value": "true"},
    ]
    for name, p in parameters.items():
        # An empty default stays the template's own default: CfCT passes only what is written here.
        if name in CODE_PARAMETERS or name == CREATE_RULE or p.get("Default") in (None, ""):
            continue
        cfct_parameters.append({"parameter_key": name, "parameter_value": str(p["Default"])})
    manifest = {
        "region": RULE_REGION_EXAMPLE,
        "version": yaml_date("2021-03-15"),
        "resources": [{
            "name": "mfa-config-rule",
            "description": f"MfaConfigRule {version}: the per-account evaluate function and Config rule for IAM users' console MFA",
            "resource_file": f"templates/{TEMPLATE_FILE}.yaml",
            "deploy_method": "stack_set",
            "parameters": cfct_parameters,
            "deployment_targets": {"organizational_units": ["Workloads", "Sandbox"]},
            "regions": [RULE_REGION_EXAMPLE],
        }],
    }
    dump_yaml(manifest, os.path.join(cfct, "manifest.yaml"), header=[
        f"Customizations for Control Tower: MfaConfigRule {version} in every account of the OUs below (manifest schema 2021-03-15).",
        f"Upload {zip_name} to s3://CodeBucket/{code_key} (a bucket in the rule's Region that the",
        "Organization's accounts may read), replace CodeBucket's value, merge this entry into your manifest.yaml and the",
        "template into templates/. Every parameter_value below is the template's default. See docs/channels/cfct.md.",
    ])

    # --- LZA: a security-config.yaml fragment and the files it names ---------------------------------------------------
    lza = os.path.join(out, "lza")
    os.makedirs(os.path.join(lza, "custom-config-rules"), exist_ok=True)
    shutil.copyfile(os.path.join(out, zip_name), os.path.join(lza, "custom-config-rules", zip_name))
    dump_json({"Version": "2012-10-17", "Statement": statements}, os.path.join(lza, "custom-config-rules", POLICY_FILE))
    dump_json({"Version": "2012-10-17", "Statement": statements}, os.path.join(out, POLICY_FILE))
    frequency = parameters.get("MaximumExecutionFrequency", {}).get("Default", "TwentyFour_Hours")
    input_parameters = {}
    for key, value in rule["Properties"].get("InputParameters", {}).items():
        ref = value.get("Ref") if isinstance(value, dict) else None
        if isinstance(value, dict) and "Fn::If" in value:
            ref = value["Fn::If"][1].get("Ref")
        default = parameters.get(ref, {}).get("Default") if ref else value
        if default in (None, ""):
            continue
        input_parameters[key] = str(default)
    lza_rule = {
        "name": str(parameters[RULE_NAME_PARAMETER].get("Default", "mfa-enabled-for-iam-console-users")),
        "description": f"MfaConfigRule {version}: every IAM user who can sign in to the console has MFA (CIS, Security Hub IAM.5)",
        "type": "Custom",
        "inputParameters": input_parameters,
        "customRule": {
            "lambda": {
                "sourceFilePath": f"custom-config-rules/{zip_name}",
                "handler": handler,
                "runtime": runtime,
                "rolePolicyFile": f"custom-config-rules/{POLICY_FILE}",
                "timeout": timeout,
            },
            "periodic": True,
            "maximumExecutionFrequency": frequency,
            "configurationChanges": True,
            "triggeringResources": {
                "lookupType": "ResourceTypes",
                "lookupKey": "AWS::IAM::User",
                "lookupValue": ["AWS::IAM::User"],
            },
        },
    }
    # LZA deploys a rule set in every Region it manages unless told otherwise; IAM is global, so one Region is enough and
    # every other would sweep the same users again (duplicate evaluations and findings). The example's list stands for
    # "every enabled Region but the rule's".
    targets = {"organizationalUnits": ["Root"], "excludedRegions": ["us-west-2", "eu-west-1"]}
    dump_yaml({"awsConfig": {"ruleSets": [{"deploymentTargets": targets, "rules": [lza_rule]}]}},
              os.path.join(lza, "security-config.yaml"), header=[
        f"Landing Zone Accelerator: MfaConfigRule {version} as a custom Config rule in every account of the ruleSet's targets.",
        "Merge awsConfig.ruleSets[] into your security-config.yaml and copy custom-config-rules/ into the configuration",
        "repository. LZA creates the function, its role (this policy, AWSLambdaBasicExecutionRole, and the AWS-managed",
        "AWSConfigRulesExecutionRole that CDK's CustomRule attaches), the invoke permission and the rule in each account.",
        f"excludedRegions: list every Region of global-config.yaml's enabledRegions except the rule's ({RULE_REGION_EXAMPLE} here):",
        "IAM is global, so a rule in a second Region only sweeps the same users again. See docs/channels/lza.md.",
    ])

    # --- the conformance pack: the template's own rule, pointing at the function by its fixed name --------------------
    pack_rule = copy.deepcopy(rule)
    for key in ("Condition", "DependsOn", "Metadata", "UpdateReplacePolicy", "DeletionPolicy"):
        pack_rule.pop(key, None)
    pack_rule["Properties"]["Source"]["SourceIdentifier"] = {
        "Fn::Sub": "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${EvaluateFunctionName}"}
    pack_parameters = {"EvaluateFunctionName": {
        "Type": "String", "Default": function_name,
        "Description": "The evaluate function the per-account template created in this account and Region (deployed with CreateRule=false)",
    }}
    pack_conditions = {}
    pending = set(references(pack_rule["Properties"]))
    seen = set()
    while pending:
        kind, name = pending.pop()
        if (kind, name) in seen or name.startswith("AWS::") or name == "EvaluateFunctionName":
            continue
        seen.add((kind, name))
        if kind == "Condition":
            if name not in conditions:
                fail(f"{template_path}: the rule uses the condition {name}, which the template does not define")
            pack_conditions[name] = conditions[name]
            pending |= references(conditions[name])
        elif name in parameters:
            pack_parameters[name] = {k: v for k, v in parameters[name].items()}
        else:
            fail(f"{template_path}: the rule refers to {name}, a resource of the template; a conformance pack holds only the rule")
    # In the template's order, so the same template always gives the same bytes (the walk above is over a set).
    ordered_parameters = {"EvaluateFunctionName": pack_parameters.pop("EvaluateFunctionName")}
    ordered_parameters.update((n, pack_parameters[n]) for n in parameters if n in pack_parameters)
    pack = {"Description": f"MfaConfigRule {version}: the Config rule, evaluated by each account's own {function_name} function"}
    pack["Parameters"] = ordered_parameters
    if pack_conditions:
        pack["Conditions"] = {n: pack_conditions[n] for n in conditions if n in pack_conditions}
    pack["Resources"] = {rule_id: pack_rule}
    dump_yaml(pack, os.path.join(out, CONFORMANCE_PACK_FILE), header=[
        f"AWS Config conformance pack: MfaConfigRule {version}'s rule. Deploy the per-account template with CreateRule=false",
        "in every account and Region first: the rule names that account's own function. See docs/channels/conformance-pack.md.",
    ])

    print(json.dumps({"functionName": function_name, "handler": handler, "statements": len(statements), "codeKey": code_key}))


def resolve(node):
    """A statement with CloudFormation's pseudo parameters replaced, so LZA can read it as plain IAM JSON."""
    if isinstance(node, dict):
        if set(node) == {"Ref"} and node["Ref"] in PSEUDO:
            return PSEUDO[node["Ref"]]
        if set(node) == {"Fn::Join"}:
            separator, parts = node["Fn::Join"]
            return separator.join(resolve(p) for p in parts)
        if set(node) == {"Fn::Sub"} and isinstance(node["Fn::Sub"], str):
            text = node["Fn::Sub"]
            for name, value in PSEUDO.items():
                text = text.replace("${" + name + "}", value)
            if "${" in text:
                fail(f"cannot resolve {text} for the LZA role policy file")
            return text
        if any(k.startswith("Fn::") or k == "Ref" for k in node):
            fail(f"cannot resolve {json.dumps(node)} for the LZA role policy file")
        return {k: resolve(v) for k, v in node.items()}
    if isinstance(node, list):
        return [resolve(v) for v in node]
    return node


def yaml_date(text):
    return datetime.date.fromisoformat(text)


if __name__ == "__main__":
    main()
