'use strict';
// node --test infra/forwarder/index.test.js: the custom resource's calls against a scripted EventBridge.
const test = require('node:test');
const assert = require('node:assert/strict');
const { apply, responseBody, createHandler } = require('./index.js');

const props = {
  Region: 'us-east-1',
  RuleName: 'MfaConfigRule-iam-to-eu-west-1',
  Description: 'forward',
  EventPattern: '{"source":["aws.iam"]}',
  TargetId: 'RuleRegionDefaultBus',
  TargetArn: 'arn:aws:events:eu-west-1:123456789012:event-bus/default',
  RoleArn: 'arn:aws:iam::123456789012:role/forward',
};

/** An EventBridge double: records the calls, answers from a script keyed by operation (a value, or an error to throw). */
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

    const physicalId = await apply({ RequestType: requestType, PhysicalResourceId: props.RuleName, ResourceProperties: props }, events.send);

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
      apply({ RequestType: requestType, ResourceProperties: props }, events.send),
      /PutTargets failed for 1 target\(s\): RuleRegionDefaultBus: ConcurrentModificationException try again/);
  });
}

test('Create: an EventBridge error fails the deploy', async () => {
  const events = eventBridge({ PutRule: awsError('AccessDeniedException') });

  await assert.rejects(apply({ RequestType: 'Create', ResourceProperties: props }, events.send), { name: 'AccessDeniedException' });
  assert.equal(events.calls.length, 1);
});

test('Delete: removes the target, then deletes the rule', async () => {
  const events = eventBridge({ RemoveTargets: { FailedEntryCount: 0 } });

  await apply({ RequestType: 'Delete', PhysicalResourceId: props.RuleName, ResourceProperties: props }, events.send);

  assert.deepEqual(events.calls, [
    { operation: 'RemoveTargets', input: { Rule: props.RuleName, Ids: [props.TargetId] } },
    { operation: 'DeleteRule', input: { Name: props.RuleName } },
  ]);
});

test('Delete: a rule that is already gone is done, so cdk destroy completes', async () => {
  const events = eventBridge({ RemoveTargets: awsError('ResourceNotFoundException') });

  const physicalId = await apply({ RequestType: 'Delete', PhysicalResourceId: props.RuleName, ResourceProperties: props }, events.send);

  assert.equal(physicalId, props.RuleName);
  assert.deepEqual(events.calls.map((c) => c.operation), ['RemoveTargets']);
});

test('Delete: a target EventBridge could not remove fails, and the rule is not deleted', async () => {
  const events = eventBridge({ RemoveTargets: { FailedEntryCount: 1, FailedEntries: [{ TargetId: props.TargetId, ErrorCode: 'InternalException', ErrorMessage: 'x' }] } });

  await assert.rejects(apply({ RequestType: 'Delete', PhysicalResourceId: props.RuleName, ResourceProperties: props }, events.send), /RemoveTargets failed/);
  assert.deepEqual(events.calls.map((c) => c.operation), ['RemoveTargets']);
});

test('Create: ResourceNotFoundException is a failure outside delete', async () => {
  const events = eventBridge({ PutTargets: awsError('ResourceNotFoundException') });

  await assert.rejects(apply({ RequestType: 'Create', ResourceProperties: props }, events.send), { name: 'ResourceNotFoundException' });
});

test('responseBody: carries the request identifiers and cuts a long reason', () => {
  const event = { StackId: 'stack', RequestId: 'request', LogicalResourceId: 'Forwarding' };

  const body = JSON.parse(responseBody(event, 'FAILED', 'x'.repeat(5000), props.RuleName));

  assert.deepEqual({ ...body, Reason: body.Reason.length }, {
    Status: 'FAILED', Reason: 1000, PhysicalResourceId: props.RuleName, StackId: 'stack', RequestId: 'request', LogicalResourceId: 'Forwarding',
  });
});

/** The handler with a scripted EventBridge; returns what it answered CloudFormation. */
async function answerTo(event, script) {
  const events = eventBridge(script);
  const answers = [];
  const handler = createHandler({ eventBridge: () => events.send, respond: async (url, body) => answers.push({ url, body: JSON.parse(body) }) });
  const quiet = [console.log, console.error];
  console.log = console.error = () => {};
  try {
    await handler({ StackId: 'stack', RequestId: 'request', LogicalResourceId: 'Forwarding', ResponseURL: 'https://cfn.example/response', ...event });
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
