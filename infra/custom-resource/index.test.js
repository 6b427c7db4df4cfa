'use strict';
// node --test infra/custom-resource/index.test.js: the custom resources' calls against scripted AWS services.
const test = require('node:test');
const assert = require('node:assert/strict');
const { FORWARDING, ORGANIZATION_ID, applyForwarding, applyOrganizationId, responseBody, createHandler } = require('./index.js');

const props = {
  Region: 'us-east-1',
  RuleName: 'MfaConfigRule-iam-to-eu-west-1',
  Description: 'forward',
  EventPattern: '{"source":["aws.iam"]}',
  TargetId: 'RuleRegionDefaultBus',
  TargetArn: 'arn:aws:events:eu-west-1:123456789012:event-bus/default',
  RoleArn: 'arn:aws:iam::123456789012:role/forward',
};

/** A service double: records the calls, answers from a script keyed by operation (a value, or an error to throw). */
function eventBridge(script = {}) {
  const calls = [];
  const send = async (operation, input) => {
    calls.push({ operation, input });
    const answer = script[operation] ?? {};
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { calls, send };
}

function awsError(name) {
  const error = new Error(`${name} from EventBridge`);
  error.name = name;
  return error;
}

for (const requestType of ['Create', 'Update']) {
  test(`${requestType}: puts the rule, then its one target, and names the rule as the physical ID`, async () => {
    const events = eventBridge({ PutTargets: { FailedEntryCount: 0, FailedEntries: [] } });

    const physicalId = await applyForwarding({ RequestType: requestType, PhysicalResourceId: props.RuleName, ResourceProperties: props }, events.send);

    assert.equal(physicalId, props.RuleName);
    assert.deepEqual(events.calls, [
      { operation: 'PutRule', input: { Name: props.RuleName, Description: 'forward', EventPattern: props.EventPattern, State: 'ENABLED' } },
      { operation: 'PutTargets', input: { Rule: props.RuleName, Targets: [{ Id: props.TargetId, Arn: props.TargetArn, RoleArn: props.RoleArn }] } },
    ]);
  });

  test(`${requestType}: a target EventBridge could not attach fails the deploy with its error`, async () => {
    const events = eventBridge({
      PutTargets: { FailedEntryCount: 1, FailedEntries: [{ TargetId: props.TargetId, ErrorCode: 'ConcurrentModificationException', ErrorMessage: 'try again' }] },
    });

    await assert.rejects(
      applyForwarding({ RequestType: requestType, ResourceProperties: props }, events.send),
      /PutTargets failed for 1 target\(s\): RuleRegionDefaultBus: ConcurrentModificationException try again/);
  });
}

test('Create, heartbeat: a ScheduleExpression makes a scheduled rule (no event pattern) with the same target and role', async () => {
  const events = eventBridge({ PutTargets: { FailedEntryCount: 0, FailedEntries: [] } });
  const heartbeat = { ...props, RuleName: 'MfaConfigRule-beat-to-eu-west-1', EventPattern: undefined, ScheduleExpression: 'rate(1 hour)' };

  const physicalId = await applyForwarding({ RequestType: 'Create', ResourceProperties: heartbeat }, events.send);

  assert.equal(physicalId, heartbeat.RuleName);
  assert.deepEqual(events.calls, [
    { operation: 'PutRule', input: { Name: heartbeat.RuleName, Description: 'forward', ScheduleExpression: 'rate(1 hour)', State: 'ENABLED' } },
    { operation: 'PutTargets', input: { Rule: heartbeat.RuleName, Targets: [{ Id: props.TargetId, Arn: props.TargetArn, RoleArn: props.RoleArn }] } },
  ]);
});

test('Create: an EventBridge error fails the deploy', async () => {
  const events = eventBridge({ PutRule: awsError('AccessDeniedException') });

  await assert.rejects(applyForwarding({ RequestType: 'Create', ResourceProperties: props }, events.send), { name: 'AccessDeniedException' });
  assert.equal(events.calls.length, 1);
});

test('Delete: removes the target, then deletes the rule', async () => {
  const events = eventBridge({ RemoveTargets: { FailedEntryCount: 0 } });

  await applyForwarding({ RequestType: 'Delete', PhysicalResourceId: props.RuleName, ResourceProperties: props }, events.send);

  assert.deepEqual(events.calls, [
    { operation: 'RemoveTargets', input: { Rule: props.RuleName, Ids: [props.TargetId] } },
    { operation: 'DeleteRule', input: { Name: props.RuleName } },
  ]);
});

test('Delete: a rule that is already gone is done, so cdk destroy completes', async () => {
  const events = eventBridge({ RemoveTargets: awsError('ResourceNotFoundException') });

  const physicalId = await applyForwarding({ RequestType: 'Delete', PhysicalResourceId: props.RuleName, ResourceProperties: props }, events.send);

  assert.equal(physicalId, props.RuleName);
  assert.deepEqual(events.calls.map((c) => c.operation), ['RemoveTargets']);
});

test('Delete: a target EventBridge could not remove fails, and the rule is not deleted', async () => {
  const events = eventBridge({ RemoveTargets: { FailedEntryCount: 1, FailedEntries: [{ TargetId: props.TargetId, ErrorCode: 'InternalException', ErrorMessage: 'x' }] } });

  await assert.rejects(applyForwarding({ RequestType: 'Delete', PhysicalResourceId: props.RuleName, ResourceProperties: props }, events.send), /RemoveTargets failed/);
  assert.deepEqual(events.calls.map((c) => c.operation), ['RemoveTargets']);
});

test('Create: ResourceNotFoundException is a failure outside delete', async () => {
  const events = eventBridge({ PutTargets: awsError('ResourceNotFoundException') });

  await assert.rejects(applyForwarding({ RequestType: 'Create', ResourceProperties: props }, events.send), { name: 'ResourceNotFoundException' });
});

test('responseBody: carries the request identifiers and cuts a long reason', () => {
  const event = { StackId: 'stack', RequestId: 'request', LogicalResourceId: 'Forwarding' };

  const body = JSON.parse(responseBody(event, 'FAILED', 'x'.repeat(5000), props.RuleName));

  assert.deepEqual({ ...body, Reason: body.Reason.length }, {
    Status: 'FAILED', Reason: 1000, PhysicalResourceId: props.RuleName, StackId: 'stack', RequestId: 'request', LogicalResourceId: 'Forwarding',
  });
});

/** The handler with scripted services; returns what it answered CloudFormation. */
async function answerTo(event, script, organizationsScript = {}) {
  const events = eventBridge(script);
  const organizations = eventBridge(organizationsScript);
  const answers = [];
  const handler = createHandler({
    clients: { eventBridge: () => events.send, organizations: () => organizations.send },
    respond: async (url, body) => answers.push({ url, body: JSON.parse(body) }),
  });
  const quiet = [console.log, console.error];
  console.log = console.error = () => {};
  try {
    await handler({ ResourceType: FORWARDING, StackId: 'stack', RequestId: 'request', LogicalResourceId: 'Forwarding', ResponseURL: 'https://cfn.example/response', ...event });
  } finally {
    [console.log, console.error] = quiet;
  }
  return answers;
}

test('handler: a completed create answers SUCCESS with the rule as physical ID', async () => {
  const answers = await answerTo({ RequestType: 'Create', ResourceProperties: props }, { PutTargets: { FailedEntryCount: 0 } });

  assert.deepEqual(answers, [{
    url: 'https://cfn.example/response',
    body: { Status: 'SUCCESS', Reason: 'OK', PhysicalResourceId: props.RuleName, StackId: 'stack', RequestId: 'request', LogicalResourceId: 'Forwarding' },
  }]);
});

test('handler: a failure still answers, FAILED with the reason, under the rule name so the rollback deletes what was made', async () => {
  const answers = await answerTo(
    { RequestType: 'Create', ResourceProperties: props },
    { PutTargets: { FailedEntryCount: 1, FailedEntries: [{ TargetId: props.TargetId, ErrorCode: 'InternalException', ErrorMessage: 'later' }] } });

  assert.equal(answers.length, 1);
  assert.equal(answers[0].body.Status, 'FAILED');
  assert.equal(answers[0].body.PhysicalResourceId, props.RuleName);
  assert.match(answers[0].body.Reason, /^Error: PutTargets failed for 1 target\(s\): RuleRegionDefaultBus: InternalException later$/);
});

const organization = { Id: 'o-a1b2c3d4e5', Arn: 'arn:aws:organizations::111111111111:organization/o-a1b2c3d4e5', MasterAccountId: '111111111111' };

for (const requestType of ['Create', 'Update']) {
  test(`Organization ID, ${requestType}: reads DescribeOrganization and returns its ID, ARN and management account`, async () => {
    const organizations = eventBridge({ DescribeOrganization: { Organization: organization } });

    const result = await applyOrganizationId({ RequestType: requestType, ResourceProperties: {} }, organizations.send);

    assert.deepEqual(result, {
      physicalResourceId: 'o-a1b2c3d4e5',
      data: { Id: 'o-a1b2c3d4e5', Arn: organization.Arn, ManagementAccountId: '111111111111' },
    });
    assert.deepEqual(organizations.calls, [{ operation: 'DescribeOrganization', input: {} }]);
  });
}

test('Organization ID: an account outside any Organization fails the deploy with Organizations\' error', async () => {
  const organizations = eventBridge({ DescribeOrganization: awsError('AWSOrganizationsNotInUseException') });

  await assert.rejects(applyOrganizationId({ RequestType: 'Create', ResourceProperties: {} }, organizations.send), { name: 'AWSOrganizationsNotInUseException' });
});

test('Organization ID: an answer without a valid ID fails rather than hand an empty condition to the trust policies', async () => {
  for (const answer of [{}, { Organization: {} }, { Organization: { Id: '' } }, { Organization: { Id: 'o-*' } }]) {
    const organizations = eventBridge({ DescribeOrganization: answer });

    await assert.rejects(applyOrganizationId({ RequestType: 'Create', ResourceProperties: {} }, organizations.send), /no valid Organization ID/);
  }
});

test('Organization ID, Delete: reads nothing and keeps its physical ID', async () => {
  const organizations = eventBridge({});

  const result = await applyOrganizationId({ RequestType: 'Delete', PhysicalResourceId: 'o-a1b2c3d4e5', ResourceProperties: {} }, organizations.send);

  assert.deepEqual(result, { physicalResourceId: 'o-a1b2c3d4e5', data: {} });
  assert.equal(organizations.calls.length, 0);
});

test('handler: the Organization ID answers SUCCESS with the ID as physical ID and its attributes as Data', async () => {
  const answers = await answerTo(
    { ResourceType: ORGANIZATION_ID, RequestType: 'Create', LogicalResourceId: 'OrganizationId', ResourceProperties: {} }, {},
    { DescribeOrganization: { Organization: organization } });

  assert.deepEqual(answers[0].body, {
    Status: 'SUCCESS', Reason: 'OK', PhysicalResourceId: 'o-a1b2c3d4e5', StackId: 'stack', RequestId: 'request', LogicalResourceId: 'OrganizationId',
    Data: { Id: 'o-a1b2c3d4e5', Arn: organization.Arn, ManagementAccountId: '111111111111' },
  });
});

test('handler: a resource type it does not know answers FAILED naming it', async () => {
  const answers = await answerTo({ ResourceType: 'Custom::Other', RequestType: 'Create', ResourceProperties: {} }, {});

  assert.equal(answers[0].body.Status, 'FAILED');
  assert.match(answers[0].body.Reason, /does not handle the resource type Custom::Other/);
});
