"""One IAM and STS scenario, run with boto3 against any endpoint; prints the answers normalized to JSON.

The comparison test runs it against moto and against the AWS double and expects the same output, so the double's
answers match a third party's reading of the same AWS API. Usage:
    python3 iam_sts_scenario.py ENDPOINT ACCESS_KEY SECRET_KEY TOTP_EPOCH_SECONDS
TOTP_EPOCH_SECONDS is the server's own "now" for the MFA codes (moto does not check them; the double does).
"""
import base64
import hashlib
import hmac
import json
import struct
import sys

import boto3
import botocore.config
import botocore.exceptions

endpoint, access_key, secret_key, totp_time = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
config = botocore.config.Config(retries={"max_attempts": 1})
session = boto3.session.Session(aws_access_key_id=access_key, aws_secret_access_key=secret_key, region_name="us-east-1")
iam = session.client("iam", endpoint_url=endpoint, config=config)
sts = session.client("sts", endpoint_url=endpoint, config=config)
out = {}


def error_code(call):
    try:
        call()
        return None
    except botocore.exceptions.ClientError as error:
        return error.response["Error"]["Code"]


def kind(serial):
    if not serial.startswith("arn:"):
        return "hardware"
    return {"mfa": "virtual", "u2f": "fido"}.get(serial.split(":", 5)[5].split("/", 1)[0], "hardware")


def totp(seed, step):
    key = base64.b32decode(seed + "=" * ((8 - len(seed) % 8) % 8))
    digest = hmac.new(key, struct.pack(">q", step), hashlib.sha1).digest()
    offset = digest[-1] & 15
    return "%06d" % ((struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1000000)


out["get_missing_user"] = error_code(lambda: iam.get_user(UserName="cmp-ghost"))
for name, path in [("cmp-alpha", "/"), ("cmp-beta", "/team/"), ("cmp-gamma", "/"), ("cmp-delta", "/"), ("cmp-epsilon", "/team/")]:
    tags = [{"Key": "team", "Value": "blue"}] if name == "cmp-gamma" else []
    iam.create_user(UserName=name, Path=path, Tags=tags)
out["duplicate_user"] = error_code(lambda: iam.create_user(UserName="cmp-alpha"))
beta = iam.get_user(UserName="cmp-beta")["User"]
out["user_beta"] = {"UserName": beta["UserName"], "Path": beta["Path"], "Arn": beta["Arn"],
                    "UserIdPrefix": beta["UserId"][:4], "UserIdLength": len(beta["UserId"])}

pages, marker = [], None
while True:
    kwargs = {"MaxItems": 2, **({"Marker": marker} if marker else {})}
    page = iam.list_users(**kwargs)
    pages.append([u["UserName"] for u in page["Users"]])
    if not page.get("IsTruncated"):
        break
    marker = page["Marker"]
out["list_users_page_sizes"] = [len(p) for p in pages]
out["list_users_names"] = sorted(n for p in pages for n in p)
out["list_users_team_path"] = sorted(u["UserName"] for u in iam.list_users(PathPrefix="/team/")["Users"])

iam.create_login_profile(UserName="cmp-alpha", Password="Correct-Horse-1!", PasswordResetRequired=True)
alpha_profile = iam.get_login_profile(UserName="cmp-alpha")["LoginProfile"]
out["login_alpha"] = {"UserName": alpha_profile["UserName"], "PasswordResetRequired": alpha_profile["PasswordResetRequired"],
                      "HasCreateDate": "CreateDate" in alpha_profile}
out["login_beta"] = error_code(lambda: iam.get_login_profile(UserName="cmp-beta"))
out["login_duplicate"] = error_code(lambda: iam.create_login_profile(UserName="cmp-alpha", Password="Correct-Horse-2!"))
out["login_missing_user"] = error_code(lambda: iam.get_login_profile(UserName="cmp-ghost"))

device = iam.create_virtual_mfa_device(VirtualMFADeviceName="cmp-alpha-phone")["VirtualMFADevice"]
serial = device["SerialNumber"]
seed = device["Base32StringSeed"].decode()
out["virtual_serial"] = {"kind": kind(serial), "suffix": serial.split(":", 5)[5], "seed_is_base32": len(seed) >= 16}
step = totp_time // 30
iam.enable_mfa_device(UserName="cmp-alpha", SerialNumber=serial,
                      AuthenticationCode1=totp(seed, step - 1), AuthenticationCode2=totp(seed, step))
iam.enable_mfa_device(UserName="cmp-beta", SerialNumber="GAHT00000001", AuthenticationCode1="123456", AuthenticationCode2="654321")
iam.create_virtual_mfa_device(VirtualMFADeviceName="cmp-spare")
out["mfa_kinds"] = {name: sorted(kind(d["SerialNumber"]) for d in iam.list_mfa_devices(UserName=name)["MFADevices"])
                    for name in ["cmp-alpha", "cmp-beta", "cmp-gamma"]}
out["mfa_missing_user"] = error_code(lambda: iam.list_mfa_devices(UserName="cmp-ghost"))
assigned = iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"]
out["virtual_assigned"] = sorted((d["SerialNumber"].split(":", 5)[5], d["User"]["UserName"], "EnableDate" in d) for d in assigned)
unassigned = iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"]
out["virtual_unassigned"] = sorted((d["SerialNumber"].split(":", 5)[5], "User" in d) for d in unassigned)

iam.tag_user(UserName="cmp-gamma", Tags=[{"Key": "mfa-exempt-until", "Value": "2026-02-01"}])
out["tags_gamma"] = sorted((t["Key"], t["Value"]) for t in iam.list_user_tags(UserName="cmp-gamma")["Tags"])
iam.untag_user(UserName="cmp-gamma", TagKeys=["team"])
out["tags_gamma_after_untag"] = sorted((t["Key"], t["Value"]) for t in iam.list_user_tags(UserName="cmp-gamma")["Tags"])

identity = sts.get_caller_identity()
out["caller_account"] = identity["Account"]
assumed = sts.assume_role(RoleArn=f"arn:aws:iam::{identity['Account']}:role/cmp-role", RoleSessionName="cmp-session")
out["assumed_role_arn"] = assumed["AssumedRoleUser"]["Arn"]
out["assumed_key_prefix"] = assumed["Credentials"]["AccessKeyId"][:4]
temporary = boto3.session.Session(aws_access_key_id=assumed["Credentials"]["AccessKeyId"],
                                  aws_secret_access_key=assumed["Credentials"]["SecretAccessKey"],
                                  aws_session_token=assumed["Credentials"]["SessionToken"], region_name="us-east-1")
out["assumed_identity_arn"] = temporary.client("sts", endpoint_url=endpoint, config=config).get_caller_identity()["Arn"]

iam.deactivate_mfa_device(UserName="cmp-alpha", SerialNumber=serial)
out["mfa_alpha_after_deactivate"] = iam.list_mfa_devices(UserName="cmp-alpha")["MFADevices"]
out["virtual_unassigned_after_deactivate"] = sorted(
    d["SerialNumber"].split(":", 5)[5] for d in iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"])
iam.delete_virtual_mfa_device(SerialNumber=serial)
out["virtual_any_after_delete"] = sorted(
    d["SerialNumber"].split(":", 5)[5] for d in iam.list_virtual_mfa_devices(AssignmentStatus="Any")["VirtualMFADevices"])
out["delete_missing_virtual"] = error_code(lambda: iam.delete_virtual_mfa_device(SerialNumber=serial))
iam.delete_login_profile(UserName="cmp-alpha")
out["login_alpha_after_delete"] = error_code(lambda: iam.get_login_profile(UserName="cmp-alpha"))
iam.delete_user(UserName="cmp-delta")
out["deleted_user"] = error_code(lambda: iam.get_user(UserName="cmp-delta"))
out["final_users"] = sorted(u["UserName"] for u in iam.list_users()["Users"])

print(json.dumps(out, sort_keys=True, indent=1))
