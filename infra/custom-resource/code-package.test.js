'use strict';
// node --test infra/custom-resource/code-package.test.js: Custom::CodePackage against a scripted S3.
const test = require('node:test');
const assert = require('node:assert/strict');
const { CODE_PACKAGE, applyCodePackage, createHandler } = require('./code-package.js');

const packageProps = {
  SourceBucket: 'cdk-hnb659fds-assets-123456789012-eu-west-1',
  SourceKey: 'abc123.zip',
  TargetBucket: 'mfa-code-bucket',
  TargetKey: 'mfa-config-rule/1.0.0/abc123.zip',
};

/** An S3 double: records the calls, answers from a script keyed by operation (a value, or an error to throw). */
function s3(script = {}) {
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
  const error = new Error(`${name} from S3`);
  error.name = name;
  return error;
}

const event = (requestType, props = packageProps) => ({ RequestType: requestType, ResourceType: CODE_PACKAGE, ResourceProperties: props });

for (const requestType of ['Create', 'Update']) {
  test(`${requestType}: copies the package and answers the new object's key and version`, async () => {
    const bucket = s3({ CopyObject: { VersionId: 'v2' } });

    const result = await applyCodePackage(event(requestType), bucket.send);

    assert.deepEqual(bucket.calls, [{ operation: 'CopyObject', input: { Bucket: 'mfa-code-bucket', Key: packageProps.TargetKey, CopySource: 'cdk-hnb659fds-assets-123456789012-eu-west-1/abc123.zip' } }]);
    assert.deepEqual(result, { physicalResourceId: 's3://mfa-code-bucket/mfa-config-rule/1.0.0/abc123.zip?versionId=v2', data: { Key: packageProps.TargetKey, VersionId: 'v2' } });
  });
}

test('a bucket that returns no version (not versioned) fails the deploy', async () => {
  for (const answer of [{}, { VersionId: 'null' }]) {
    await assert.rejects(applyCodePackage(event('Create'), s3({ CopyObject: answer }).send), /returned no version ID: the code bucket must be versioned/);
  }
});

test('an S3 error fails the deploy; a missing property is named', async () => {
  await assert.rejects(applyCodePackage(event('Create'), s3({ CopyObject: awsError('AccessDenied') }).send), /AccessDenied/);
  await assert.rejects(applyCodePackage(event('Create', { ...packageProps, TargetKey: '' }), s3().send), /needs TargetKey/);
});

test('Delete keeps the object (a rollback may still need it) and calls nothing', async () => {
  const bucket = s3();

  const result = await applyCodePackage({ ...event('Delete'), PhysicalResourceId: 's3://b/k?versionId=v1' }, bucket.send);

  assert.deepEqual(bucket.calls, []);
  assert.equal(result.physicalResourceId, 's3://b/k?versionId=v1');
});

test('handler: answers SUCCESS with the version as data, and FAILED with the reason', async () => {
  const answers = [];
  const quiet = [console.log, console.error];
  console.log = console.error = () => {};
  try {
    for (const script of [{ CopyObject: { VersionId: 'v3' } }, { CopyObject: awsError('AccessDenied') }]) {
      const handler = createHandler({ send: () => s3(script).send, respond: async (url, body) => answers.push({ url, body: JSON.parse(body) }) });
      await handler({ ...event('Create'), StackId: 'stack', RequestId: 'request', LogicalResourceId: 'Package', ResponseURL: 'https://cfn.example/response' });
    }
  } finally {
    [console.log, console.error] = quiet;
  }

  assert.deepEqual(answers[0].body, {
    Status: 'SUCCESS', Reason: 'OK', PhysicalResourceId: 's3://mfa-code-bucket/mfa-config-rule/1.0.0/abc123.zip?versionId=v3',
    StackId: 'stack', RequestId: 'request', LogicalResourceId: 'Package', Data: { Key: packageProps.TargetKey, VersionId: 'v3' },
  });
  assert.equal(answers[1].body.Status, 'FAILED');
  assert.equal(answers[1].body.PhysicalResourceId, 'Package');
  assert.match(answers[1].body.Reason, /^AccessDenied: AccessDenied from S3$/);
});
