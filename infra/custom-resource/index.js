'use strict';
// The app's CloudFormation custom resources, one inline handler (each provider function gets it, with its own role):
//
// - Custom::IamEventForwarding: the EventBridge rule in us-east-1 that forwards IAM's events to another bus (the rule
//   Region's), and its one target; or, given a ScheduleExpression instead of an EventPattern, the scheduled rule that
//   sends a heartbeat along the same path (same target and role), so the receiving account sees a silent forwarder. CDK's AwsCustomResource cannot do this safely: it fails only on an exception, but
//   PutTargets and RemoveTargets report a target they could not set or remove in a successful response
//   (FailedEntryCount > 0), and it cannot treat a rule that is already gone as deleted.
// - Custom::OrganizationId: the Organization this account belongs to (DescribeOrganization), for the conditions that
//   admit the Organization's principals (aws:PrincipalOrgID) without asking the deployer to type its ID.
//
// It always answers CloudFormation through the pre-signed ResponseURL, with FAILED and the reason when anything went
// wrong, so a deploy never reports success without what it asked for and never hangs for the custom resource timeout.

const https = require('node:https');

const FORWARDING = 'Custom::IamEventForwarding';
const ORGANIZATION_ID = 'Custom::OrganizationId';

/** Runs one request for its resource type: `{ physicalResourceId, data }`. `clients` makes the AWS callers. */
async function apply(event, clients) {
  switch (event.ResourceType) {
    case FORWARDING:
      return { physicalResourceId: await applyForwarding(event, clients.eventBridge(event.ResourceProperties.Region)) };
    case ORGANIZATION_ID:
      return applyOrganizationId(event, clients.organizations());
    default:
      throw new Error(`this provider does not handle the resource type ${event.ResourceType}`);
  }
}

/**
 * The Organization's ID, ARN and management account. Nothing to delete: the resource only reads. A deploy outside an
 * Organization fails here with Organizations' own error (AWSOrganizationsNotInUseException), before anything trusts it.
 */
async function applyOrganizationId(event, send) {
  if (event.RequestType === 'Delete') return { physicalResourceId: event.PhysicalResourceId, data: {} };
  const { Organization: organization } = await send('DescribeOrganization', {});
  if (!/^o-[a-z0-9]{10,32}$/.test(organization?.Id ?? '')) {
    throw new Error(`DescribeOrganization returned no valid Organization ID (${JSON.stringify(organization?.Id ?? null)})`);
  }
  return {
    physicalResourceId: organization.Id,
    data: { Id: organization.Id, Arn: organization.Arn, ManagementAccountId: organization.MasterAccountId },
  };
}

/** The forwarding rule; `send(operation, input)` calls EventBridge in us-east-1 and returns its response. */
async function applyForwarding(event, send) {
  const props = event.ResourceProperties;
  if (event.RequestType === 'Create' || event.RequestType === 'Update') {
    const matching = props.ScheduleExpression ? { ScheduleExpression: props.ScheduleExpression } : { EventPattern: props.EventPattern };
    await send('PutRule', { Name: props.RuleName, Description: props.Description, ...matching, State: 'ENABLED' });
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
function responseBody(event, status, reason, physicalResourceId, data = {}) {
  return JSON.stringify({
    Status: status,
    // CloudFormation shows the reason in the stack events; the whole response must stay under 4 KB.
    Reason: reason.slice(0, 1000),
    PhysicalResourceId: physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    // What Fn::GetAtt reads; absent when there is nothing to read.
    ...(Object.keys(data).length > 0 ? { Data: data } : {}),
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

// The SDK v3 that the Lambda Node.js runtime provides; required when called so the tests need no SDK.
function sdkCaller(packageName, clientName, config) {
  const sdk = require(packageName);
  const client = new sdk[clientName](config);
  return (operation, input) => client.send(new sdk[`${operation}Command`](input));
}

const sdkClients = {
  eventBridge: (region) => sdkCaller('@aws-sdk/client-eventbridge', 'EventBridgeClient', { region }),
  // Organizations has one endpoint, in us-east-1, whatever the caller's Region.
  organizations: () => sdkCaller('@aws-sdk/client-organizations', 'OrganizationsClient', { region: 'us-east-1' }),
};

/** The Lambda handler over AWS client factories and a way to answer CloudFormation (the tests pass fakes). */
function createHandler({ clients, respond }) {
  return async function handler(event) {
    console.log(JSON.stringify({ requestType: event.RequestType, physicalResourceId: event.PhysicalResourceId, properties: event.ResourceProperties }));
    // Until it is known, a deterministic name (the forwarding rule's): a rollback's Delete then removes whatever a failed
    // Create made.
    let physicalResourceId = event.PhysicalResourceId ?? event.ResourceProperties.RuleName ?? event.LogicalResourceId;
    let data = {};
    let status = 'SUCCESS';
    let reason = 'OK';
    try {
      ({ physicalResourceId, data } = await apply(event, clients));
    } catch (error) {
      status = 'FAILED';
      reason = `${error.name ?? 'Error'}: ${error.message}`;
      console.error(error);
    }
    console.log(JSON.stringify({ status, reason, physicalResourceId }));
    await respond(event.ResponseURL, responseBody(event, status, reason, physicalResourceId, data));
  };
}

module.exports = {
  FORWARDING, ORGANIZATION_ID, apply, applyForwarding, applyOrganizationId, responseBody, createHandler,
  handler: createHandler({ clients: sdkClients, respond: putResponse }),
};
