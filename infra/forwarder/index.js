'use strict';
// The CloudFormation custom resource behind Custom::IamEventForwarding: the EventBridge rule in us-east-1 that forwards
// IAM's events to the rule Region's default bus, and its one target. CDK's AwsCustomResource cannot do this safely: it
// fails only on an exception, but PutTargets and RemoveTargets report a target they could not set or remove in a
// successful response (FailedEntryCount > 0), and it cannot treat a rule that is already gone as deleted.
//
// It always answers CloudFormation through the pre-signed ResponseURL, with FAILED and the reason when anything went
// wrong, so a deploy never reports success without the target and never hangs for the custom resource timeout.

const https = require('node:https');

/** Runs one CloudFormation request; `send(operation, input)` calls EventBridge in us-east-1 and returns its response. */
async function apply(event, send) {
  const props = event.ResourceProperties;
  if (event.RequestType === 'Create' || event.RequestType === 'Update') {
    await send('PutRule', { Name: props.RuleName, Description: props.Description, EventPattern: props.EventPattern, State: 'ENABLED' });
    const put = await send('PutTargets', {
      Rule: props.RuleName,
      Targets: [{ Id: props.TargetId, Arn: props.TargetArn, RoleArn: props.RoleArn }],
    });
    failOnFailedEntries('PutTargets', put);
    return props.RuleName;
  }
  if (event.RequestType === 'Delete') {
    // The rule this resource made (the physical ID is its name); EventBridge refuses to delete a rule with targets.
    const rule = event.PhysicalResourceId;
    try {
      failOnFailedEntries('RemoveTargets', await send('RemoveTargets', { Rule: rule, Ids: [props.TargetId] }));
    } catch (error) {
      // Deleted by hand or by an earlier, partial delete: nothing is left to remove.
      if (error.name === 'ResourceNotFoundException') return rule;
      throw error;
    }
    // DeleteRule succeeds for a rule that no longer exists.
    await send('DeleteRule', { Name: rule });
    return rule;
  }
  throw new Error(`unknown CloudFormation request type ${event.RequestType}`);
}

function failOnFailedEntries(operation, response) {
  if ((response.FailedEntryCount ?? 0) === 0) return;
  const entries = (response.FailedEntries ?? []).map((e) => `${e.TargetId}: ${e.ErrorCode} ${e.ErrorMessage}`).join('; ');
  throw new Error(`${operation} failed for ${response.FailedEntryCount} target(s): ${entries}`);
}

/** The body CloudFormation expects at the ResponseURL. */
function responseBody(event, status, reason, physicalResourceId) {
  return JSON.stringify({
    Status: status,
    // CloudFormation shows the reason in the stack events; the whole response must stay under 4 KB.
    Reason: reason.slice(0, 1000),
    PhysicalResourceId: physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  });
}

function putResponse(url, body) {
  return new Promise((resolve, reject) => {
    // The URL is pre-signed without a content type: send none.
    const request = https.request(url, { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } }, (response) => {
      response.resume();
      response.on('end', resolve);
    });
    request.on('error', reject);
    request.end(body);
  });
}

function sdkEventBridge(region) {
  // The SDK v3 that the Lambda Node.js runtime provides; required here so the tests need no SDK.
  const sdk = require('@aws-sdk/client-eventbridge');
  const client = new sdk.EventBridgeClient({ region });
  return (operation, input) => client.send(new sdk[`${operation}Command`](input));
}

/** The Lambda handler over an EventBridge client factory and a way to answer CloudFormation (the tests pass fakes). */
function createHandler({ eventBridge, respond }) {
  return async function handler(event) {
    console.log(JSON.stringify({ requestType: event.RequestType, physicalResourceId: event.PhysicalResourceId, properties: event.ResourceProperties }));
    // Until it is known, the rule's deterministic name: a rollback's Delete then removes whatever a failed Create made.
    let physicalResourceId = event.PhysicalResourceId ?? event.ResourceProperties.RuleName;
    let status = 'SUCCESS';
    let reason = 'OK';
    try {
      physicalResourceId = await apply(event, eventBridge(event.ResourceProperties.Region));
    } catch (error) {
      status = 'FAILED';
      reason = `${error.name ?? 'Error'}: ${error.message}`;
      console.error(error);
    }
    console.log(JSON.stringify({ status, reason, physicalResourceId }));
    await respond(event.ResponseURL, responseBody(event, status, reason, physicalResourceId));
  };
}

module.exports = { apply, responseBody, createHandler, handler: createHandler({ eventBridge: sdkEventBridge, respond: putResponse }) };
