"""What the member runbook's aws:executeScript step does, with boto3 against the double.

Arguments: ROLE_ARN (or "-" to invoke with the caller's own credentials), FUNCTION (name or ARN), PAYLOAD (JSON).
Credentials, Region and endpoint come from the environment (AWS_ACCESS_KEY_ID..., AWS_REGION, AWS_ENDPOINT_URL).
Prints one JSON object: who invoked, and Invoke's StatusCode, FunctionError, ExecutedVersion and Payload, or the error.
"""
import json
import os
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

role_arn, function, payload = sys.argv[1:4]
region = os.environ["AWS_REGION"]
no_retries = Config(retries={"max_attempts": 1, "mode": "standard"})
if role_arn == "-":
    credentials = {}
else:
    issued = boto3.client("sts", region_name=region).assume_role(RoleArn=role_arn, RoleSessionName="mfa-rule-remediate")["Credentials"]
    credentials = {
        "aws_access_key_id": issued["AccessKeyId"],
        "aws_secret_access_key": issued["SecretAccessKey"],
        "aws_session_token": issued["SessionToken"],
    }
result = {"Caller": boto3.client("sts", region_name=region, **credentials).get_caller_identity()["Arn"]}
client = boto3.client("lambda", region_name=region, config=no_retries, **credentials)
try:
    answer = client.invoke(FunctionName=function, InvocationType="RequestResponse", Payload=json.dumps(json.loads(payload)).encode())
    result.update(
        StatusCode=answer["StatusCode"],
        FunctionError=answer.get("FunctionError"),
        ExecutedVersion=answer.get("ExecutedVersion"),
        Payload=answer["Payload"].read().decode(),
    )
except ClientError as error:
    result.update(ErrorCode=error.response["Error"]["Code"], ErrorMessage=error.response["Error"]["Message"],
                  HttpStatus=error.response["ResponseMetadata"]["HTTPStatusCode"], Text=str(error))
print(json.dumps(result))
